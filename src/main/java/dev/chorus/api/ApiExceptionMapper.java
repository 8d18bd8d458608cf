package dev.chorus.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.chorus.protocol.Json;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Every failure becomes {@code {"error":"..."}} with a real status; no stack trace reaches a client. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(Throwable failure) {
        if (failure instanceof ApiException api) {
            return json(api.status(), api.getMessage());
        }
        if (failure instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String message = switch (status) {
                case 404 -> "Not found";
                case 405 -> "Method not allowed";
                case 406 -> "Not acceptable";
                case 415 -> "Unsupported media type: send application/json";
                default -> status >= 500 ? "Internal server error" : "Bad request";
            };
            Response.ResponseBuilder builder = Response.status(status).type(MediaType.APPLICATION_JSON)
                    .entity("{\"error\":" + Json.quote(message) + "}");
            String allow = web.getResponse().getHeaderString("Allow");
            if (allow != null) {
                builder.header("Allow", allow);
            }
            if (status >= 500) {
                LOG.error("HTTP API failure", failure);
            }
            return builder.build();
        }
        LOG.error("HTTP API failure", failure);
        return json(500, "Internal server error");
    }

    static Response json(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity("{\"error\":" + Json.quote(message) + "}").build();
    }
}
