package dev.chorus.api;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an operator view: {@link OperatorFilter} guards every route of a class carrying it, so a route
 * added later is guarded without anyone remembering to. On a method it refines the class's.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OperatorOnly {
    /** What the refusal calls the view, e.g. "/dashboard". */
    String value();

    /** Takes the dashboard's session cookie: routes a browser loads by itself (scripts, data). */
    boolean cookie() default false;

    /** Takes {@code ?token=}: only the dashboard page, so an operator can open it from a link once. */
    boolean tokenInQuery() default false;
}
