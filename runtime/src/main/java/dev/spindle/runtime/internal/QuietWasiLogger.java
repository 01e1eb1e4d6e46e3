package dev.spindle.runtime.internal;

import com.dylibso.chicory.log.Logger;

/** Chicory's WASI logs through java.util.logging by default; guests' WASI chatter is not the user's business. */
final class QuietWasiLogger implements Logger {
    static final QuietWasiLogger INSTANCE = new QuietWasiLogger();

    @Override
    public void log(Level level, String msg, Throwable throwable) {}

    @Override
    public boolean isLoggable(Level level) {
        return false;
    }
}
