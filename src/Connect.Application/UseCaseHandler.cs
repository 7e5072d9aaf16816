namespace Connect.Application;

/// <summary>
/// What every use case's handler shares: MediatR's entry point, which refuses a null request (MediatR never sends
/// one; a direct call might), so that a handler says only what its use case does, in <see cref="RunAsync"/>.
/// </summary>
public abstract class UseCaseHandler<TRequest, TResponse> : IRequestHandler<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(request, cancellationToken);
    }

    protected abstract Task<TResponse> RunAsync(TRequest request, CancellationToken cancellationToken);
}
