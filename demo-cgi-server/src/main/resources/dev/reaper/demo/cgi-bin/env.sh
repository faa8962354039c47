#!/bin/bash
# The request's CGI meta-variables, one NAME=VALUE a line: env.sh/some/path?a=1
printf 'Content-Type: text/plain\r\n\r\n'
for name in GATEWAY_INTERFACE SERVER_SOFTWARE SERVER_PROTOCOL SERVER_NAME SERVER_PORT REQUEST_METHOD \
    SCRIPT_NAME PATH_INFO QUERY_STRING REMOTE_ADDR REMOTE_PORT CONTENT_LENGTH CONTENT_TYPE $(compgen -e HTTP_ | sort); do
  if [ -n "${!name+set}" ]; then
    printf '%s=%s\n' "$name" "${!name}"
  fi
done
