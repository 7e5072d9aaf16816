namespace Connect.Application;

/// <summary>
/// One line per use case in <see cref="DependencyInjection"/>: its handler, and its validator when it has one, named
/// together so that neither can be registered without the other. MediatR 5.1.0 is still wired by hand (no assembly
/// scanning at start); a test checks that every handler in the assembly is registered.
/// </summary>
internal static class UseCaseRegistration
{
    /// <summary>A use case whose request has no validator (nothing to check beyond its types).</summary>
    public static IServiceCollection AddUseCase<TRequest, TResponse, THandler>(this IServiceCollection services)
        where TRequest : IRequest<TResponse>
        where THandler : class, IRequestHandler<TRequest, TResponse> =>
        services.AddTransient<IRequestHandler<TRequest, TResponse>, THandler>();

    /// <summary>A use case and its request's validator; the validator is stateless, so one instance serves all requests.</summary>
    public static IServiceCollection AddUseCase<TRequest, TResponse, THandler, TValidator>(this IServiceCollection services)
        where TRequest : IRequest<TResponse>
        where THandler : class, IRequestHandler<TRequest, TResponse>
        where TValidator : class, IValidator<TRequest> =>
        services.AddUseCase<TRequest, TResponse, THandler>().AddSingleton<IValidator<TRequest>, TValidator>();
}
