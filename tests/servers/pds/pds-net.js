// A Bluesky PDS + PLC directory (no AppView) on loopback, for the test session.
// Usage: node pds-net.js PLC_PORT PDS_PORT   (NODE_PATH must reach @atproto/dev-env)
// Prints one JSON line {"pds": url, "plc": url} when ready; SIGTERM closes it cleanly.
'use strict';
require('./loopback');
const { TestNetworkNoAppView } = require('@atproto/dev-env');

const [plcPort, pdsPort] = process.argv.slice(2).map(Number);
if (!plcPort || !pdsPort) {
  console.error('usage: node pds-net.js PLC_PORT PDS_PORT');
  process.exit(2);
}

(async () => {
  const network = await TestNetworkNoAppView.create({
    plc: { port: plcPort },
    pds: { port: pdsPort, hostname: 'localhost' },
  });
  console.log(JSON.stringify({ pds: network.pds.url, plc: network.plc.url }));
  const stop = async () => {
    await network.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
