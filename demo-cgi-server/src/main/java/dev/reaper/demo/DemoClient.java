package dev.reaper.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP requests to a demo server on this machine: one, many at once, and its /status figures. */
final class DemoClient {
    private final HttpClient http =
            HttpClient.newBuilder()
                    // no h2c upgrade attempt: the JDK's server speaks HTTP/1.1
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private final String base;

    public DemoClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the request and returns at once; the response (or the failure) comes later. */
    public CompletableFuture<HttpResponse<String>> getLater(String path) {
        return http.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends all at once, and returns their statuses in order once every one is answered (-1: no
     * answer).
     */
    public List<Integer> getAll(List<String> paths) {
        List<CompletableFuture<Integer>> pending = new ArrayList<>();
        for (String path : paths) {
            pending.add(
                    getLater(path)
                            .handle(
                                    (response, failure) ->
                                            response == null ? -1 : response.statusCode()));
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    /** /status, as JSON text. */
    public String status() throws IOException, InterruptedException {
        return get("/status").body();
    }

    /** A whole-number field of /status; -1 if it is null or absent. */
    public static long field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Waits until the server answers /status, and, if {@code reaper}, until it says the reaper is
     * on (its MBean registered, which takes up to about a second after start-up).
     */
    public void awaitUp(boolean reaper, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                last = status();
                if (!reaper || last.contains("\"reaper\":true")) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "the server on "
                        + base
                        + " was not up"
                        + (reaper ? " with the reaper" : "")
                        + " within "
                        + within.toSeconds()
                        + " s; last: "
                        + last);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .build();
    }
}
