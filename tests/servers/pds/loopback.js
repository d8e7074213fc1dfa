// Force every server that listens on a bare port to bind 127.0.0.1 only.
// The PDS and PLC call listen(port) without a host, which would mean all interfaces.
'use strict';
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    const rest = args.slice(1).filter((a) => typeof a !== 'string');
    return listen.call(this, args[0], '127.0.0.1', ...rest);
  }
  if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
