package dev.spindle.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Options for the {@code redis-server} that {@link RedisServerExtension} starts.
 *
 * <p>On a test class (or an enclosing class of a {@code @Nested} class) it configures the
 * server for that class. On a test method it gives that one test its own server with these
 * options, whatever the class says.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RedisServerOptions {

  /** {@code requirepass} for the server. Default {@code ""}: no password. */
  String password() default "";

  /**
   * {@code true}: every test method gets a fresh server (started before {@code @BeforeEach},
   * killed after {@code @AfterEach}). Default {@code false}: one server for the whole class,
   * shared by its tests (call {@link RedisServer#flushAll()} between tests if they need a clean
   * database).
   */
  boolean perTest() default false;

  /**
   * {@code true}: a TLS-only server ({@link RedisServer#launchTls()}) with a throwaway CA and
   * server certificate; {@link RedisServer#uri()} is {@code rediss://127.0.0.1:PORT} and {@link
   * RedisServer#tlsCaCertificate()} the CA's PEM file. Default {@code false}: plain TCP.
   */
  boolean tls() default false;

  /**
   * {@code true}: a server that keeps its data across {@link RedisServer#stop()}/{@link
   * RedisServer#start()} ({@link RedisServer#launchPersistent()}: AOF, fsync always). Default
   * {@code false}: a restart comes back empty.
   */
  boolean persistent() default false;
}
