package dev.reaper.it.apps;

import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * A java.util.logging handler that throws an Error for every record, as a broken one in an
 * application's logging set-up may (an assert that fails under -ea, a recursion that ends in
 * StackOverflowError): the agent's lines go through the application's logging, so its reaping
 * thread meets the Error. Named by a logging.properties ({@code handlers=}).
 */
public final class ThrowingLogHandler extends Handler {
    @Override
    public void publish(LogRecord record) {
        throw new AssertionError("the application's log handler is broken");
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
