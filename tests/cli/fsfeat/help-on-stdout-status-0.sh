fsfeat --help | head -n 1; fsfeat -V | sed 's/[0-9][0-9.]*$/VERSION/'
