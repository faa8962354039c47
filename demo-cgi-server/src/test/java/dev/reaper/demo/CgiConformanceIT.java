package dev.reaper.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reaper.it.Jvm;
import dev.reaper.it.Jvm.Jdk;
import dev.reaper.kit.ProcessTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CGI/1.1 as the server speaks it: meta-variables, the body on stdin, the headers a script prints,
 * and the errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CgiConformanceIT {
    /** The scripts' timeout: the quick ones end well within it, even on a slow, busy machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Path markers;
    private DemoServer server;

    @BeforeAll
    void startServer() throws Exception {
        markers = Files.createTempDirectory("cgi-conformance");
        server = DemoServer.start(Jdk.JDK17, true, TIMEOUT, markers);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
            assertThat(server.result().stderr())
                    .as("nothing but the expected complaints")
                    .doesNotContain("Exception");
        }
        try (Stream<Path> files = Files.walk(markers)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theRequestsMetaVariables() throws Exception {
        HttpResponse<String> response =
                send(
                        HttpRequest.newBuilder(uri("/cgi-bin/env.sh/extra/p%20ath?a=1&b=t%20wo"))
                                .header("X-Demo", "yes"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain");
        Map<String, String> env = Jvm.keyValues(response.body());
        assertThat(env)
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                .containsEntry("SERVER_NAME", "127.0.0.1")
                .containsEntry("SERVER_PORT", Integer.toString(server.port))
                .containsEntry("REQUEST_METHOD", "GET")
                .containsEntry("SCRIPT_NAME", "/cgi-bin/env.sh")
                .containsEntry("PATH_INFO", "/extra/p ath")
                .containsEntry("QUERY_STRING", "a=1&b=t%20wo")
                .containsEntry("REMOTE_ADDR", "127.0.0.1")
                .containsEntry("HTTP_X_DEMO", "yes")
                .containsKey("SERVER_SOFTWARE")
                .doesNotContainKeys("CONTENT_LENGTH", "CONTENT_TYPE");
    }

    @Test
    void withoutPathInfoOrQuery() throws Exception {
        Map<String, String> env =
                Jvm.keyValues(send(HttpRequest.newBuilder(uri("/cgi-bin/env.sh"))).body());

        assertThat(env).containsEntry("QUERY_STRING", "").doesNotContainKey("PATH_INFO");
    }

    @Test
    void thePostBodyOnStdinWithItsLengthAndType() throws Exception {
        byte[] body = new byte[100_000]; // more than a pipe holds at once
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        HttpResponse<byte[]> echoed =
                http.send(
                        HttpRequest.newBuilder(uri("/cgi-bin/echo.sh"))
                                .header("Content-Type", "application/x-demo")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());

        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.headers().firstValue("Content-Type")).hasValue("application/x-demo");
        assertThat(echoed.body()).isEqualTo(body);

        Map<String, String> env =
                Jvm.keyValues(
                        send(HttpRequest.newBuilder(uri("/cgi-bin/env.sh"))
                                        .header("Content-Type", "text/plain")
                                        .POST(HttpRequest.BodyPublishers.ofString("twelve bytes")))
                                .body());
        assertThat(env)
                .containsEntry("REQUEST_METHOD", "POST")
                .containsEntry("CONTENT_LENGTH", "12")
                .containsEntry("CONTENT_TYPE", "text/plain");
    }

    @Test
    void theStatusHeaderSetsTheStatusAndOtherHeadersPassThrough() throws Exception {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/cgi-bin/status.sh?code=418")));

        assertThat(response.statusCode()).isEqualTo(418);
        assertThat(response.headers().firstValue("X-Script")).hasValue("status.sh");
        assertThat(response.headers().map()).doesNotContainKey("status");
        assertThat(response.body()).isEqualTo("status 418, as asked\n");
    }

    @Test
    void aLocationHeaderRedirects() throws Exception {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/cgi-bin/redirect.sh?to=/status")));

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue("/status");
    }

    @Test
    void aMissingScriptIs404() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/cgi-bin/nothing.sh"))).statusCode())
                .isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/cgi-bin/"))).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("/elsewhere"))).statusCode()).isEqualTo(404);
    }

    @Test
    void outputWithoutAHeaderBlockIs502() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/cgi-bin/broken.sh")));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("no valid CGI response");
    }

    @Test
    void aScriptWithinTheTimeoutIsWaitedFor() throws Exception {
        // grep gets its input a second on: slow, but well within the timeout (5 s)
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/cgi-bin/grep.sh?slow=1&pattern=4242")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        long expected =
                IntStream.rangeClosed(1, 100_000)
                        .filter(n -> Integer.toString(n).contains("4242"))
                        .count();
        assertThat(response.body()).endsWith("containing \"4242\": " + expected + "\n");
    }

    @Test
    void aScriptPastTheTimeoutIsKilledAnd504IsSentAtOnce() throws Exception {
        // names this request's grep among the server's processes
        String pattern = "past-the-timeout-" + System.nanoTime();
        // grep gets its input 25 s on: a server that waited for the pipe to close would answer
        // after grep has ended
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(uri("/cgi-bin/grep.sh?slow=25&pattern=" + pattern)));

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body())
                .isEqualTo(
                        "504 Gateway Timeout: /cgi-bin/grep.sh ran longer than "
                                + TIMEOUT.toMillis()
                                + " ms\n");
        assertThat(ProcessTable.descendants(server.pid()))
                .as("answered while the orphaned grep, which holds the script's stdout, still runs")
                .anyMatch(
                        p ->
                                !p.zombie()
                                        && ProcessTable.commandLine(p.pid())
                                                .equals("grep -c -F -- " + pattern));
        assertThat(send(HttpRequest.newBuilder(uri("/cgi-bin/hello.sh"))).statusCode())
                .as("still serving")
                .isEqualTo(200);
    }

    @Test
    void headGetsTheHeadersOnly() throws Exception {
        HttpResponse<String> response =
                send(
                        HttpRequest.newBuilder(uri("/cgi-bin/hello.sh"))
                                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "GET /cgi-bin/../cgi-bin/hello.sh HTTP/1.1",
                "GET /cgi-bin/%2e%2e/etc/passwd HTTP/1.1",
                "GET /cgi-bin/hello.sh%2F..%2Fx HTTP/1.1",
                "GET /cgi-bin/hello.sh/%zz HTTP/1.1",
                "POST /cgi-bin/echo.sh HTTP/1.1\r\nContent-Length: twelve",
                "POST /cgi-bin/echo.sh HTTP/1.1\r\nContent-Length: -1",
                "GARBAGE",
            })
    void aMalformedRequestIs400AndTheServerKeepsServing(String request) throws Exception {
        assertThat(raw(request)).startsWith("HTTP/1.1 400 ");
        assertThat(send(HttpRequest.newBuilder(uri("/cgi-bin/hello.sh"))).statusCode())
                .isEqualTo(200);
    }

    @Test
    void anUnsupportedMethodIs405() throws Exception {
        assertThat(raw("DELETE /cgi-bin/hello.sh HTTP/1.1"))
                .startsWith("HTTP/1.1 405 ")
                .contains("Allow: GET, HEAD, POST");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return http.send(
                request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the request line (and header lines) as given, and returns the head of the response. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    (request + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
