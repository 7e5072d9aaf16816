using Connect.Domain.Outcomes;
using FluentValidation;
using MediatR;

namespace Connect.Application.Behaviors;

/// <summary>
/// Runs every validator of a request before its handler. A rejected request becomes the failed outcome
/// <see cref="ReasonCode.InvalidBody"/>; the validators' messages stay inside, never on the wire.
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
                return TResponse.Failed(ReasonCode.InvalidBody);
            }
        }

        return await next().ConfigureAwait(false);
    }
}
