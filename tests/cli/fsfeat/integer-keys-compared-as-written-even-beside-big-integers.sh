# A line with an integer beyond 64 bits is read by jansson with integers as
# reals; keys and distinct values still compare by the digits as written.
printf '{"key":"id","features":[{"name":"n","agg":"count"},{"name":"nx","agg":"count","key":["u.x","u.y"]},{"name":"d","agg":"count_distinct","field":"u.x"}]}\n' > s.json
printf '%s\n' '{"id":12345678901234567890,"ts":1,"u":{"x":9007199254740993,"y":"b"}}' \
 '{"id":12345678901234567891,"ts":2,"u":{"x":9007199254740993,"y":"b"}}' \
 '{"id":12345678901234567890,"ts":3,"u":{"x":9007199254740993,"y":"b"}}' \
 '{"id":1,"ts":4,"u":{"x":9007199254740993,"y":"b"}}' | fsfeat --spec s.json
