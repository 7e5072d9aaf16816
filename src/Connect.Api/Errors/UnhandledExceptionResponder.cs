using Connect.Domain.Outcomes;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Connect.Api.Errors;

/// <summary>
/// Turns an exception that escaped the pipeline into the contract's answer: an unreachable or failing-over
/// database is <c>503 ServiceUnavailable</c> (the statement that failed changed nothing: each is atomic),
/// anything else is the private 500. The detail goes to the log only (the framework logs the exception).
/// </summary>
internal static class UnhandledExceptionResponder
{
    public static Task RespondAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var reason = IsDatabaseOutage(exception) ? ReasonCode.ServiceUnavailable : ReasonCode.InternalError;
        return ReasonResponse.WriteAsync(context, reason);
    }

    /// <summary>
    /// Connection failures, timeouts and server shutdowns are transient; a constraint violation or a bad
    /// statement is a bug and stays a 500.
    /// </summary>
    internal static bool IsDatabaseOutage(Exception? exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        NpgsqlException { InnerException: TimeoutException or System.Net.Sockets.SocketException or IOException } => true,
        _ => false,
    };
}
