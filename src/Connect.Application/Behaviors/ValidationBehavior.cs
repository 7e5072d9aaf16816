namespace Connect.Application.Behaviors;

/// <summary>
/// Runs every validator of a request before its handler. A rejected request becomes the result type's own
/// rejection (<see cref="IFailable{TSelf}.Rejected"/>): <see cref="ReasonCode.InvalidBody"/> for the HTTP contract,
/// whose validators' messages never reach the wire; the first message for an administrative command.
/// </summary>
public sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
    where TResponse : IFailable<TResponse>
{
    public async Task<TResponse> Handle(
        TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);

        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, cancellationToken).ConfigureAwait(false);
            if (!result.IsValid)
            {
                return TResponse.Rejected(result.Errors[0].ErrorMessage);
            }
        }

        return await next().ConfigureAwait(false);
    }
}
