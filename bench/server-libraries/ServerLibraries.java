package dev.spindle.runtime.trigger;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One candidate HTTP server library serving one handler, for {@code bench/server-libraries.sh}
 * (which drives it with wrk). Not shipped; compiled by the script against spindle.jar.
 *
 * <p>Usage: {@code ServerLibraries LIBRARY HANDLER PORT [MANIFEST]} where LIBRARY is
 * jdk | jetty | jetty-hop | netty | undertow and HANDLER is trivial (a 2-byte 200 answered on the
 * library's own thread) or incr (guests/http-counter.wasm through Spindle's Spin executor; it
 * blocks on Redis, so it runs on a 64-thread worker pool, except with jetty, which runs it on the
 * Jetty thread that parsed the request; jetty-hop hands it to the same 64-thread pool instead).
 */
public final class ServerLibraries {
    static final int WORKERS = 64;
    static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        String library = args[0];
        boolean incr = args[1].equals("incr");
        int port = Integer.parseInt(args[2]);
        Supplier<byte[]> handler = () -> OK;
        if (incr) {
            SpindleApp app = Spindle.load(Path.of(args[3]), SpindleOptions.builder()
                    .invocationTimeout(Duration.ofSeconds(10)).build());
            Router router = Router.build(HttpTriggerServer.triggers(app), "/");
            Router.Match match = router.match("/count").orElseThrow();
            HttpRequestData request = new HttpRequestData("GET", "/count", "/count", "", List.of(Map.entry("host", "127.0.0.1")),
                    new byte[0], match, "http://127.0.0.1/count", "127.0.0.1:1", "127.0.0.1", port, "/");
            handler = () -> HttpExecutors.spin(app, "counter", request).body();
        }
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        switch (library) {
            case "jdk" -> jdk(port, handler, workers);
            case "jetty" -> jetty(port, handler, null);
            case "jetty-hop" -> jetty(port, handler, incr ? workers : null);
            case "netty" -> netty(port, handler, incr ? workers : null);
            case "undertow" -> undertow(port, handler, incr);
            default -> throw new IllegalArgumentException(library);
        }
        System.out.println("listening " + library + " " + args[1] + " on " + port);
        Thread.currentThread().join();
    }

    static void jdk(int port, Supplier<byte[]> handler, ExecutorService workers) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", ex -> {
            byte[] body = handler.get();
            ex.getResponseHeaders().add("content-type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.setExecutor(workers);
        server.start();
    }

    static void jetty(int port, Supplier<byte[]> handler, ExecutorService hop) throws Exception {
        Server server = new Server(new QueuedThreadPool(WORKERS + 16));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory());
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Runnable work = () -> {
                    byte[] body = handler.get();
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                    response.write(true, ByteBuffer.wrap(body), callback);
                };
                if (hop == null) {
                    work.run();
                } else {
                    hop.execute(work);
                }
                return true;
            }
        });
        server.start();
    }

    static void netty(int port, Supplier<byte[]> handler, ExecutorService hop) throws Exception {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        boolean keepAlive = HttpUtil.isKeepAlive(req);
                                        Runnable work = () -> {
                                            byte[] body = handler.get();
                                            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                                            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                            if (keepAlive) {
                                                ctx.writeAndFlush(resp);
                                            } else {
                                                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
                                            }
                                        };
                                        if (hop == null) {
                                            work.run();
                                        } else {
                                            hop.execute(work);
                                        }
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", port).sync();
    }

    static void undertow(int port, Supplier<byte[]> handler, boolean dispatch) {
        io.undertow.server.HttpHandler h = new io.undertow.server.HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) {
                if (dispatch && exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                byte[] body = handler.get();
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
                exchange.getResponseSender().send(ByteBuffer.wrap(body));
            }
        };
        Undertow.builder().addHttpListener(port, "127.0.0.1").setIoThreads(2).setWorkerThreads(WORKERS)
                .setHandler(h).build().start();
    }
}
