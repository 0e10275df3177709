printf '%s\n' '{"id":1,"amount":150,"count":1}' | fsscore --model fraud.json --from .
printf '%s\n' '{"id":1,"ctx":{"f":{"amount":150,"count":1}}}' | fsscore --model fraud.json --from ctx.f
printf '%s\n' '{"id":1,"amount":150,"count":1}' | fsscore --model fraud.json; echo "exit $?"
printf '%s\n' '{"id":1,"features":[1,2]}' | fsscore --model fraud.json; echo "exit $?"
