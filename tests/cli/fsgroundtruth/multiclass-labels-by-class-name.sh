printf '%s\n' \
	'{"id":1,"ts":100,"scores":[0.7,0.2,0.1],"class":0}' \
	'{"id":2,"ts":200,"scores":[0.1,0.8,0.1],"class":1}' \
	'{"id":3,"ts":300,"scores":[0.2,0.3,0.5],"class":2}' \
	'{"id":4,"ts":400,"scores":[0.4,0.4,0.2],"class":0}' > m.ndjson
printf '%s\n' \
	'{"id":1,"ts":150,"label":"cat"}' '{"id":2,"ts":250,"label":"dog"}' \
	'{"id":3,"ts":350,"label":"dog"}' '{"id":4,"ts":450,"label":2}' > ml.ndjson
fsgroundtruth --id id --labels ml.ndjson --classes cat,dog,bird --maturity 1h --window 1d --emit joined m.ndjson
echo "exit $?"
