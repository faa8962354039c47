package dev.reaper.kit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The annotated test class must leave no process and no zombie behind: once all its tests and its
 * {@code @AfterAll} methods have run, nothing it started may still be there, neither below the test
 * JVM nor re-parented elsewhere (orphans, survivors of a pid namespace, setsid'd daemons). What is
 * still there after a generous deadline fails the class, named with its command line and parent,
 * and is killed. See {@link ProcessLeakGuard}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ProcessLeakGuard.class)
public @interface LeavesNoProcesses {}
