# a live stream may never end: the warning comes after 1000 events, once
yes '{"features":{"amt":1,"count":2}}' | head -n 1500 | fsscore -m fraud.json | wc -l
