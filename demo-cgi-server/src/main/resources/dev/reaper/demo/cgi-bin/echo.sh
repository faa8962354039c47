#!/bin/bash
# Sends the request's body back, with its content type: curl --data-binary @file localhost:8080/cgi-bin/echo.sh
# A CGI script reads CONTENT_LENGTH bytes from stdin, no more.
printf 'Content-Type: %s\r\n\r\n' "${CONTENT_TYPE:-application/octet-stream}"
head -c "${CONTENT_LENGTH:-0}"
