package dev.spindle.testing;

import java.lang.reflect.Method;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension that runs a real {@code redis-server} (see {@link RedisServer}) for a test
 * class, or for each test, and injects it as a {@link RedisServer} parameter.
 *
 * <pre>{@code
 * @ExtendWith(RedisServerExtension.class)
 * @RedisServerOptions(password = "pw")          // optional
 * class MyTest {
 *   @Test void works(RedisServer redis) { ... redis.uri() ... }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Default: one server per test class, started before {@code @BeforeAll}, killed and its
 *       directory deleted after {@code @AfterAll}. It can be injected into the constructor,
 *       {@code @BeforeAll}/{@code @AfterAll}, {@code @BeforeEach}/{@code @AfterEach} and test
 *       methods. If a test left it stopped, it is started again (same port, empty) before the
 *       next test. Data is <em>not</em> flushed between tests: call {@link RedisServer#flushAll()}
 *       or use distinct keys.
 *   <li>{@code @RedisServerOptions(perTest = true)} on the class: each test gets a fresh server
 *       (injectable into {@code @BeforeEach}, the test, {@code @AfterEach}; not into the
 *       constructor or {@code @BeforeAll}), killed after the test.
 *   <li>{@code @RedisServerOptions(...)} on a test method: that test gets its own server with
 *       those options, whatever the class uses.
 *   <li>{@code @Nested} classes share the enclosing class's server unless they carry their own
 *       {@code @RedisServerOptions}.
 * </ul>
 */
public final class RedisServerExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(RedisServerExtension.class);
  private static final String TEST_KEY = "test-server";

  /** Options when nothing is annotated: no password, one server per class. */
  private static final Optional<RedisServerOptions> NO_OPTIONS = Optional.empty();

  @Override
  public void beforeAll(ExtensionContext context) {
    if (!classOptions(context).map(RedisServerOptions::perTest).orElse(false)) {
      classServer(context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (needsOwnServer(context)) {
      testServer(context);
    } else {
      RedisServer server = classServer(context);
      if (!server.isRunning()) {
        server.start();
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == RedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    if (context.getTestMethod().isPresent()) {
      return needsOwnServer(context) ? testServer(context) : classServer(context);
    }
    if (classOptions(context).map(RedisServerOptions::perTest).orElse(false)) {
      throw new ParameterResolutionException(
          "@RedisServerOptions(perTest = true): each test has its own RedisServer, so it cannot be"
              + " injected into " + parameterContext.getDeclaringExecutable()
              + "; take it as a parameter of @BeforeEach or the test method instead");
    }
    return classServer(context);
  }

  // ---------------------------------------------------------------------------------------------

  private static boolean needsOwnServer(ExtensionContext context) {
    return methodOptions(context).isPresent()
        || classOptions(context).map(RedisServerOptions::perTest).orElse(false);
  }

  private static RedisServer testServer(ExtensionContext context) {
    Optional<RedisServerOptions> options = methodOptions(context).or(() -> classOptions(context));
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(TEST_KEY, key -> new Holder(launch(options)), Holder.class)
        .server;
  }

  /**
   * The class-wide server lives in the store of the class that declares the options (or of the
   * outermost class when none does), so nested classes share it and it is closed with that class.
   */
  private static RedisServer classServer(ExtensionContext context) {
    Class<?> owner = optionsOwner(context.getRequiredTestClass());
    ExtensionContext ownerContext = context;
    while (ownerContext.getTestClass().isPresent()
        && (ownerContext.getTestMethod().isPresent()
            || ownerContext.getRequiredTestClass() != owner)
        && ownerContext.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
      ownerContext = ownerContext.getParent().orElseThrow();
    }
    Optional<RedisServerOptions> options = classOptions(context);
    return ownerContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "class-server:" + owner.getName(), key -> new Holder(launch(options)), Holder.class)
        .server;
  }

  private static RedisServer launch(Optional<RedisServerOptions> options) {
    String password = options.map(RedisServerOptions::password).orElse("");
    boolean tls = options.map(RedisServerOptions::tls).orElse(false);
    boolean persistent = options.map(RedisServerOptions::persistent).orElse(false);
    return RedisServer.create(password.isEmpty() ? Optional.empty() : Optional.of(password), tls, persistent);
  }

  private static Optional<RedisServerOptions> methodOptions(ExtensionContext context) {
    Optional<Method> method = context.getTestMethod();
    return method.isPresent()
        ? AnnotationSupport.findAnnotation(method.get(), RedisServerOptions.class)
        : NO_OPTIONS;
  }

  private static Optional<RedisServerOptions> classOptions(ExtensionContext context) {
    for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
      Optional<RedisServerOptions> found =
          AnnotationSupport.findAnnotation(c, RedisServerOptions.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return NO_OPTIONS;
  }

  /** The innermost class (itself or an enclosing one) carrying the options, else the outermost. */
  private static Class<?> optionsOwner(Class<?> testClass) {
    Class<?> outermost = testClass;
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      if (AnnotationSupport.isAnnotated(c, RedisServerOptions.class)) {
        return c;
      }
      outermost = c;
    }
    return outermost;
  }

  /** Closes the server when JUnit closes the store it lives in. */
  private static final class Holder implements ExtensionContext.Store.CloseableResource {
    final RedisServer server;

    Holder(RedisServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
