"""WeChat: share cards (``wechat_card``) and the Official Account API (``wechat_oa``).

A web page cannot post to WeChat, so the default path is a poster image a person shares
(``card.py``); verified Official Accounts can also save drafts and publish (``oa.py``).
"""
