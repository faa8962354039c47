#!/bin/bash
# The smallest CGI script: a header block, a blank line, the body.
printf 'Content-Type: text/plain\r\n\r\n'
echo "Hello from $SCRIPT_NAME (process $$), served by $SERVER_SOFTWARE."
