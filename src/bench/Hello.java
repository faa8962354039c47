/**
 * The hello world of the start-up and memory scenarios: prints nothing; with MILLIS, sleeps that
 * long first.
 */
public class Hello {
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            Thread.sleep(Long.parseLong(args[0]));
        }
    }
}
