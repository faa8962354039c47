package dev.reaper.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reaper.options.Options.LogLevel;
import dev.reaper.options.Options.Option;
import dev.reaper.proc.Signal;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void noOptionsGiveTheDefaults(String none) throws OptionsException {
        assertThat(Options.parse(none, none)).isEqualTo(Options.defaults());
        assertThat(Options.defaults().toString())
                .isEqualTo(
                        "enabled=true,subreaper=true,log=warn,sweep=5s,grace=1m,strict=false,relay=HUP+INT+TERM,stop-order=hooks-first,stop-timeout=3s,"
                                + "stop-budget=10s,stop-on-exit=true,jmx=auto");
    }

    @Test
    void theTableFollowsTheRecordsComponents() {
        List<String> components =
                Arrays.stream(Options.class.getRecordComponents())
                        .map(RecordComponent::getName)
                        .toList();
        List<String> keys =
                Arrays.stream(Option.values())
                        .map(o -> o.key().replaceAll("-(.)", "$1").toLowerCase(Locale.ROOT))
                        .toList();
        assertThat(keys)
                .isEqualTo(components.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * The README's option table: its rows `key=FORM` | `default` in order, against the agent's
     * table.
     */
    @Test
    void theReadmesTableIsTheAgentsTable() throws IOException {
        String readme =
                Files.readString(Path.of(System.getProperty("reaper.readme", "../README.md")));
        String table = readme.substring(readme.indexOf("| option | default | what it does |"));
        table = table.substring(0, table.indexOf("\n\n"));
        List<String> rows = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| `?([^`|]+)`? \\|").matcher(table);
        while (row.find()) {
            rows.add(row.group(1).replace("\\|", "|") + " " + row.group(2).strip());
        }
        List<String> options =
                Arrays.stream(Option.values())
                        .map(
                                o ->
                                        o.key()
                                                + "="
                                                + o.form()
                                                + " "
                                                + (o.fallback() == null ? "none" : o.fallback()))
                        .toList();
        assertThat(rows)
                .as("README.md, section Options: `key=FORM` and default of each row")
                .isEqualTo(options);
    }

    @Test
    void everyKeyIsRead() throws OptionsException {
        Options o =
                Options.parse(
                        null,
                        "enabled=false,subreaper=false,log=debug,sweep=250ms,grace=2m,strict=true,"
                                + "relay=TERM+HUP,stop-order=all-at-once,stop-timeout=25s,stop-budget=30s,exit-remap=143:0,exit-remap=130:1,stop-on-exit=false,"
                                + "jmx=true");
        assertThat(o)
                .isEqualTo(
                        new Options(
                                false,
                                false,
                                LogLevel.DEBUG,
                                Duration.ofMillis(250),
                                Duration.ofMinutes(2),
                                true,
                                Set.of(Signal.TERM, Signal.HUP),
                                Options.StopOrder.ALL_AT_ONCE,
                                Duration.ofSeconds(25),
                                Duration.ofSeconds(30),
                                Map.of(143, 0, 130, 1),
                                false,
                                Options.Jmx.TRUE));
        assertThat(Options.parse(o.toString(), null)).isEqualTo(o);
        assertThat(Options.parse(null, "relay=none").relay()).isEmpty();
        assertThat(Options.parse(null, "relay=sigterm").relay()).containsExactly(Signal.TERM);
    }

    @Test
    void valuesAndSpacesAroundThemAreForgiving() throws OptionsException {
        Options o = Options.parse(null, " log = INFO , subreaper=FALSE,grace=0s");
        assertThat(o.log()).isEqualTo(LogLevel.INFO);
        assertThat(o.subreaper()).isFalse();
        assertThat(o.grace()).isZero();
    }

    @Test
    void theAgentsArgumentsWinOverTheEnvironment() throws OptionsException {
        Options o = Options.parse("log=info,sweep=5s", "log=off");
        assertThat(o.log()).isEqualTo(LogLevel.OFF);
        assertThat(o.sweep()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "foo=1            | unknown option 'foo' in the agent options; accepted: enabled, subreaper, log, sweep, grace, strict, relay, stop-order, stop-timeout, stop-budget, exit-remap, stop-on-exit, jmx",
                "log              | option 'log' in the agent options has no value: write log=VALUE",
                "log=             | option 'log' in the agent options has an empty value; accepted: off, warn, info or debug",
                "log=loud         | bad value 'loud' for log; accepted: off, warn, info or debug",
                "subreaper=yes    | bad value 'yes' for subreaper; accepted: true or false",
                "strict=1         | bad value '1' for strict; accepted: true or false",
                "sweep=5          | bad value '5' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m",
                "sweep=1ms        | bad value '1ms' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m",
                "sweep=2h         | bad value '2h' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m",
                "sweep=1.5s       | bad value '1.5s' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m",
                "grace=-1s        | bad value '-1s' for grace; accepted: a duration from 0s to 1h, e.g. 500ms, 2s, 1m",
                "grace=99999999999s | bad value '99999999999s' for grace; accepted: a duration from 0s to 1h, e.g. 500ms, 2s, 1m",
                "grace=10 s       | bad value '10 s' for grace; accepted: a duration from 0s to 1h, e.g. 500ms, 2s, 1m",
                "log=info,,strict=true | empty option in the agent options 'log=info,,strict=true': write key=value pairs separated by single commas",
                "log=info,        | empty option in the agent options 'log=info,': write key=value pairs separated by single commas",
                "log=info,log=off | option 'log' is given twice in the agent options; give it once",
                "relay=TERM,QUIT  | option 'QUIT' in the agent options has no value: write QUIT=VALUE",
                "relay=QUIT       | bad value 'QUIT' for relay; accepted: shutdown signals joined by '+', from TERM, INT, HUP (e.g. TERM+INT), or none",
                "relay=TERM+TERM  | bad value 'TERM+TERM' for relay; accepted: shutdown signals joined by '+', from TERM, INT, HUP (e.g. TERM+INT), or none",
                "relay=TERM+      | bad value 'TERM+' for relay; accepted: shutdown signals joined by '+', from TERM, INT, HUP (e.g. TERM+INT), or none",
                "stop-timeout=8   | bad value '8' for stop-timeout; accepted: a duration from 0s to 1h, e.g. 500ms, 2s, 1m",
                "exit-remap=143   | bad value '143' for exit-remap; accepted: FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat",
                "exit-remap=143:256 | bad value '143:256' for exit-remap; accepted: FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat",
                "exit-remap=x:0   | bad value 'x:0' for exit-remap; accepted: FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat",
                "exit-remap=-1:0  | bad value '-1:0' for exit-remap; accepted: FROM:TO, two exit statuses from 0 to 255 (e.g. 143:0); the key may repeat",
                "exit-remap=143:0,exit-remap=143:1 | exit-remap gives status 143 twice in the agent options; give each FROM once",
                "stop-on-exit=no  | bad value 'no' for stop-on-exit; accepted: true or false",
                "jmx=maybe        | bad value 'maybe' for jmx; accepted: auto, true or false",
                "enabled=0        | bad value '0' for enabled; accepted: true or false",
            })
    void malformedOptionsSayWhatWasWrongAndWhatIsAccepted(String arguments, String message) {
        assertThatThrownBy(() -> Options.parse(null, arguments))
                .isInstanceOf(OptionsException.class)
                .hasMessage(message);
    }

    @Test
    void exitRemapsMergeAndTheAgentsArgumentsWinPerStatus() throws OptionsException {
        Options o = Options.parse("exit-remap=143:0,exit-remap=129:3", "exit-remap=143:7");
        assertThat(o.exitRemap()).isEqualTo(Map.of(143, 7, 129, 3));
    }

    @Test
    void aMalformedEnvironmentIsNamedAsSuch() {
        assertThatThrownBy(() -> Options.parse("sweep=fast", "log=info"))
                .hasMessage(
                        "bad value 'fast' for sweep; accepted: a duration from 10ms to 1h, e.g. 500ms, 2s, 1m");
        assertThatThrownBy(() -> Options.parse("nope", null))
                .hasMessage("option 'nope' in REAPER_OPTIONS has no value: write nope=VALUE");
    }

    @ParameterizedTest
    @CsvSource({"10ms,10", "1s,1000", "2m,120000", "1h,3600000", "0s,0"})
    void durationsHaveAUnit(String text, long millis) {
        assertThat(Options.duration(text, Duration.ZERO, Duration.ofHours(1)))
                .isEqualTo(Duration.ofMillis(millis));
        assertThat(Options.format(Duration.ofMillis(millis))).isEqualTo(millis == 0 ? "0s" : text);
    }
}
