using Connect.Application.Audit;
using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Accounts;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Connect.Application.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void Every_handler_resolves_from_the_real_container()
    {
        using var provider = Services().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var handler = provider.GetService<IRequestHandler<RevokeAllCommand, Outcome<RevokeAllResult>>>();

        Assert.IsType<RevokeAllHandler>(handler);
        Assert.IsType<ListAuditEventsHandler>(provider.GetService<IRequestHandler<ListAuditEventsQuery, Outcome<AuditEventList>>>());
    }

    [Fact]
    public async Task Mediator_runs_the_validation_behaviour_before_the_handler()
    {
        var subjects = Substitute.For<ISectorSubjectMap>();
        using var provider = Services(subjects).BuildServiceProvider();
        var mediator = provider.GetRequiredService<IMediator>();
        var caller = new AuthenticatedApplication(
            new(Guid.NewGuid()), new("app"), new(Guid.NewGuid()));

        var outcome = await mediator.Send(new RevokeAllCommand(caller, Subject: ""));

        Assert.Equal(ReasonCode.InvalidBody, outcome.Failure);
        await subjects.DidNotReceiveWithAnyArgs().FindAccountAsync(default, default, default);
    }

    private static ServiceCollection Services(ISectorSubjectMap? subjects = null)
    {
        var services = new ServiceCollection();
        services.AddConnectApplication();
        services.AddSingleton(subjects ?? Substitute.For<ISectorSubjectMap>());
        services.AddSingleton(Substitute.For<IRefreshTokenRevoker>());
        services.AddSingleton(Substitute.For<IClientApplicationDirectory>());
        services.AddSingleton(Substitute.For<IClientJwtReplayStore>());
        services.AddSingleton(Substitute.For<IRevocationAuditLog>());
        return services;
    }
}
