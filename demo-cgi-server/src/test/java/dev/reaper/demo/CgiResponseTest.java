package dev.reaper.demo;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reaper.demo.CgiResponse.Header;
import org.junit.jupiter.api.Test;

class CgiResponseTest {
    @Test
    void aContentTypeAndABody() throws Exception {
        CgiResponse response = parse("Content-Type: text/plain\r\n\r\nhello\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsExactly(new Header("Content-Type", "text/plain"));
        assertThat(new String(response.body(), ISO_8859_1)).isEqualTo("hello\n");
    }

    @Test
    void bareNewlinesWorkToo() throws Exception {
        assertThat(new String(parse("Content-Type: text/plain\n\nbody").body(), ISO_8859_1))
                .isEqualTo("body");
    }

    @Test
    void statusSetsTheCodeAndIsNotPassedOn() throws Exception {
        CgiResponse response =
                parse("Status: 404 Not Here\r\nContent-Type: text/plain\r\nX-Extra:  yes \r\n\r\n");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.headers())
                .containsExactly(
                        new Header("Content-Type", "text/plain"), new Header("X-Extra", "yes"));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void aLocationWithoutStatusIsARedirect() throws Exception {
        CgiResponse response = parse("Location: http://example.org/\r\n\r\n");

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.headers())
                .containsExactly(new Header("Location", "http://example.org/"));
    }

    @Test
    void theScriptDoesNotFrameTheResponse() throws Exception {
        assertThat(
                        parse(
                                        "Content-Type: a/b\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                                .headers())
                .containsExactly(new Header("Content-Type", "a/b"));
    }

    @Test
    void outputThatIsNoCgiResponse() {
        assertThatThrownBy(() -> parse("")).hasMessage("no blank line ends the header block");
        assertThatThrownBy(() -> parse("Content-Type: text/plain\r\nhello"))
                .hasMessage("no blank line ends the header block");
        assertThatThrownBy(() -> parse("hello world\n\n"))
                .hasMessage("not a header line: 'hello world'");
        assertThatThrownBy(() -> parse("X-Only: this\n\n"))
                .hasMessage("the header block has none of Content-Type, Location, Status");
        assertThatThrownBy(() -> parse("Status: 99\n\n"))
                .hasMessage("bad or repeated Status: '99'");
        assertThatThrownBy(() -> parse("Status: 200\nStatus: 201\n\n"))
                .hasMessageStartingWith("bad or repeated Status");
    }

    private static CgiResponse parse(String output) throws CgiResponse.Malformed {
        return CgiResponse.parse(output.getBytes(ISO_8859_1));
    }
}
