package dev.spindle.cli.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The CLI's SLF4J 2 binding (found through {@code META-INF/services}): the libraries log through
 * the SLF4J API only, and this is the one binding, in the application. Written here rather than
 * taken from slf4j-simple or Logback because the format is the product: ISO-8601 times, text or
 * JSON with the events' key-value pairs, the access log and guest output routed by logger name
 * ({@link SpindleLogs}); both alternatives would need as much code to configure that.
 */
public final class SpindleLogProvider implements SLF4JServiceProvider {
    private final ConcurrentMap<String, SpindleLogger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, SpindleLogger::new);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }
}
