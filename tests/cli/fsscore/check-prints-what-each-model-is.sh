fsscore --model fraud.json --shadow classes.json --check
fsscore --model linear.json --check
