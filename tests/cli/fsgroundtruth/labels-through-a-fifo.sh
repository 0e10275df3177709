# a FIFO that opens after fsgroundtruth has started
mkfifo labels.fifo
fsgroundtruth --id tx --labels labels.fifo --maturity 2d predictions.ndjson > out.ndjson 2>/dev/null &
sleep 0.2
cat labels.ndjson > labels.fifo
wait $!
echo "exit $?"
fsgroundtruth --id tx --labels labels.ndjson --maturity 2d predictions.ndjson 2>/dev/null | cmp - out.ndjson && echo "same as from the file"
