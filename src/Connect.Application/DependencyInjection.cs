using Connect.Application.Audit;
using Connect.Application.Behaviors;
using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Outcomes;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Application;

public static class DependencyInjection
{
    /// <summary>
    /// MediatR 5.1.0 has no DI package here, so it is wired by hand: the service factory, the mediator, one
    /// line per handler and validator, and the validation behaviour. A forgotten line fails at run time,
    /// which is why a test resolves every handler from this container.
    /// </summary>
    public static IServiceCollection AddConnectApplication(this IServiceCollection services)
    {
        services.AddSingleton<ServiceFactory>(provider => provider.GetService!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));

        services.AddTransient<IRequestHandler<RevokeAllCommand, Outcome<RevokeAllResult>>, RevokeAllHandler>();
        services.AddSingleton<IValidator<RevokeAllCommand>, RevokeAllCommandValidator>();
        services.AddTransient<IRequestHandler<ListAuditEventsQuery, Outcome<AuditEventList>>, ListAuditEventsHandler>();
        services.AddSingleton<IValidator<ListAuditEventsQuery>, ListAuditEventsQueryValidator>();

        services.AddOptions<ClientJwtOptions>().BindConfiguration(ClientJwtOptions.SectionName);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ClientJwtPolicy>();
        return services;
    }
}
