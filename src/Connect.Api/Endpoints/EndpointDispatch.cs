namespace Connect.Api.Endpoints;

/// <summary>
/// The one shape of an action whose body names its command: the body the gate kept, read by the endpoint's own
/// reader; the command made of it, sent through MediatR; the result answered, or the first reason through
/// <see cref="ReasonResponse"/>. An action says only what differs: its reader, its command and its answer.
/// </summary>
internal static class EndpointDispatch
{
    public static async Task<IActionResult> SendAsync<TBody, TResult>(
        this IMediator mediator,
        HttpContext context,
        Func<ReadOnlyMemory<byte>, Outcome<TBody>> read,
        Func<TBody, IRequest<Outcome<TResult>>> command,
        Func<TResult, IActionResult> answer)
    {
        var body = read(context.Features.GetRequiredFeature<RawJsonBody>().Bytes);
        if (!body.Succeeded)
        {
            return ReasonResponse.AsResult(body.Failure);
        }

        var outcome = await mediator.Send(command(body.Value!), context.RequestAborted);
        return outcome.Succeeded ? answer(outcome.Value!) : ReasonResponse.AsResult(outcome.Failure);
    }
}
