using Connect.Domain.Outcomes;
using FluentValidation;
using MediatR;

namespace Connect.Application.Behaviors;

/// <summary>
/// Runs every validator of a request before its handler. A rejected request becomes the result type's own
/// rejection (<see cref="IFailable{TSelf}.Rejected"/>): <see cref="ReasonCode.InvalidBody"/> for the HTTP contract,
/// whose validators' messages never reach the wire; the first message for an administrative command.
/// </summary>
/// <remarks>
/// Connect's validators are synchronous rules, so they run synchronously and the handler's task is handed back
/// as it is: no state machine of its own on every request (issue 21, docs/performance.md "The framework tax"). A
/// validator with an asynchronous rule still works: FluentValidation refuses to run it synchronously, and it is
/// then run asynchronously.
/// </remarks>
public sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
    where TResponse : IFailable<TResponse>
{
    public Task<TResponse> Handle(
        TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);

        foreach (var validator in validators)
        {
            FluentValidation.Results.ValidationResult result;
            try
            {
                result = validator.Validate(request);
            }
            catch (AsyncValidatorInvokedSynchronouslyException)
            {
                return ValidateAsynchronouslyAsync(request, next, cancellationToken);
            }

            if (!result.IsValid)
            {
                return Task.FromResult(TResponse.Rejected(result.Errors[0].ErrorMessage));
            }
        }

        return next();
    }

    private async Task<TResponse> ValidateAsynchronouslyAsync(
        TRequest request, RequestHandlerDelegate<TResponse> next, CancellationToken cancellationToken)
    {
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
