using Connect.Application.Administration;
using Connect.Application.Administration.AddApplicationKey;
using Connect.Application.Administration.CountSessions;
using Connect.Application.Administration.CreateAccount;
using Connect.Application.Administration.CreateSector;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Administration.IssueSubject;
using Connect.Application.Administration.ListSigningKeys;
using Connect.Application.Administration.RegisterApplication;
using Connect.Application.Administration.RemoveSigningKey;
using Connect.Application.Administration.RetireApplicationKey;
using Connect.Application.Administration.RotateSigningKey;
using Connect.Application.Administration.SetApplicationEnabled;
using Connect.Application.Administration.UpdateApplication;
using Connect.Application.Administration.SetAccountEnabled;
using Connect.Application.Administration.DeleteAccount;
using Connect.Application.Administration.AddSignalReceiver;
using Connect.Application.Administration.ListSignalReceivers;
using Connect.Application.Administration.RemoveSignalReceiver;
using Connect.Application.Administration.RetryDeadLetters;
using Connect.Application.Administration.ShowSignalsStatus;
using Connect.Application.ApplicationInfo;
using Connect.Application.Audit;
using Connect.Application.ClientAuthentication;
using Connect.Application.DescribeInquiry;
using Connect.Application.Establish;
using Connect.Application.Inquiries;
using Connect.Application.Introspect;
using Connect.Application.Jwks;
using Connect.Application.Logout;
using Connect.Application.Passkeys;
using Connect.Application.Passkeys.CreatePasskeyLink;
using Connect.Application.Passkeys.Enrollment;
using Connect.Application.Passkeys.ListPasskeys;
using Connect.Application.RateBudget;
using Connect.Application.RealizeInquiry;
using Connect.Application.Redeem;
using Connect.Application.Refresh;
using Connect.Application.RevokeAll;
using Connect.Application.SessionClaims;
using Connect.Application.SessionTokens;
using Connect.Application.Signals;
using Connect.Application.SigningKeys;
using Connect.Application.SignIn;
using Connect.Application.SignIn.FinishPasskeyCeremony;
using Connect.Application.SignIn.StartPasskeyCeremony;
using Connect.Application.StatusPoll;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using System.Diagnostics.Metrics;

namespace Connect.Application.Tests;

public sealed class DependencyInjectionTests
{
    /// <summary>Every handler the real container registers, read from it: a new use case needs no row here.</summary>
    public static TheoryData<Type, Type> Handlers
    {
        get
        {
            var rows = new TheoryData<Type, Type>();
            foreach (var descriptor in RegisteredHandlers())
            {
                rows.Add(descriptor.ServiceType, descriptor.ImplementationType!);
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public void Every_handler_resolves_from_the_real_container(Type service, Type implementation)
    {
        using var provider = Services().BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var handler = provider.GetService(service);

        Assert.IsType(implementation, handler);
    }

    [Fact]
    public void Every_handler_in_the_application_assembly_is_registered()
    {
        // What a forgotten AddUseCase line would leave out: a handler class the container does not know.
        var declared = typeof(DependencyInjection).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false })
            .SelectMany(type => type.GetInterfaces()
                .Where(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))
                .Select(contract => (Service: contract, Implementation: type)));
        var registered = RegisteredHandlers().Select(descriptor => (Service: descriptor.ServiceType, Implementation: descriptor.ImplementationType!));

        Assert.NotEmpty(declared);
        Assert.Equal(
            declared.OrderBy(row => row.Service.FullName, StringComparer.Ordinal),
            registered.OrderBy(row => row.Service.FullName, StringComparer.Ordinal));
    }

    private static IEnumerable<ServiceDescriptor> RegisteredHandlers() =>
        Services().Where(descriptor => descriptor.ServiceType.IsGenericType
            && descriptor.ServiceType.GetGenericTypeDefinition() == typeof(IRequestHandler<,>));

    [Fact]
    public async Task Mediator_runs_the_validation_behaviour_before_the_handler()
    {
        var revoker = Substitute.For<IRefreshTokenRevoker>();
        using var provider = Services(revoker).BuildServiceProvider();
        var mediator = provider.GetRequiredService<IMediator>();
        var caller = new AuthenticatedApplication(
            new(Guid.NewGuid()), new("app"), new(Guid.NewGuid()));

        var outcome = await mediator.Send(new RevokeAllCommand(caller, Subject: ""));

        Assert.Equal(ReasonCode.InvalidBody, outcome.Failure);
        await revoker.DidNotReceiveWithAnyArgs().RevokeAllActiveAsync(default, default, default, default);
    }

    [Fact]
    public async Task Rejected_administrative_command_carries_the_validators_message_and_reaches_no_port()
    {
        var applications = Substitute.For<IApplicationRegistry>();
        using var provider = Services(applications: applications).BuildServiceProvider();
        var mediator = provider.GetRequiredService<IMediator>();

        var outcome = await mediator.Send(new SetApplicationEnabledCommand(" padded", Enabled: false));

        Assert.Equal(AdministrationErrorCode.InvalidArgument, outcome.Failure?.Code);
        Assert.Equal("the anchor must not begin or end with whitespace", outcome.Failure?.Message);
        Assert.Empty(applications.ReceivedCalls());
    }

    [Fact]
    public void Session_token_codec_resolves_from_the_real_container_as_one_instance()
    {
        var services = Services();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var codec = provider.GetRequiredService<SessionTokenCodec>();

        Assert.Same(codec, provider.GetRequiredService<SessionTokenCodec>());
        Assert.Equal(SessionTokenOptions.DefaultIssuer, codec.Issuer);
    }

    private static IMeterFactory MeterFactory()
    {
        var meters = Substitute.For<IMeterFactory>();
        meters.Create(Arg.Any<MeterOptions>()).Returns(call => new Meter(call.Arg<MeterOptions>()));
        return meters;
    }

    private static ServiceCollection Services(
        IRefreshTokenRevoker? revoker = null, IApplicationRegistry? applications = null)
    {
        var services = new ServiceCollection();
        // Every host has a configuration; the options the layers bind read it.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddConnectApplication();
        services.AddSingleton(revoker ?? Substitute.For<IRefreshTokenRevoker>());
        services.AddSingleton(Substitute.For<IRecordingRevoker>());
        services.AddSingleton(Substitute.For<ISessionStore>());
        services.AddSingleton(Substitute.For<IClientApplicationDirectory>());
        services.AddSingleton(Substitute.For<IClientJwtReplayStore>());
        services.AddSingleton(applications ?? Substitute.For<IApplicationRegistry>());
        services.AddSingleton(Substitute.For<IAccountRegistry>());
        services.AddSingleton(Substitute.For<IRevocationAuditLog>());
        services.AddSingleton(Substitute.For<IOperatorAuditLog>());
        services.AddSingleton(Substitute.For<ISigningKeyStore>());
        services.AddSingleton(Substitute.For<IInquiryStore>());
        services.AddSingleton(Substitute.For<ISignInApplicationDirectory>());
        services.AddSingleton(Substitute.For<IPasskeyStore>());
        services.AddSingleton(Substitute.For<IEnrollmentLinks>());
        services.AddSingleton(Substitute.For<IWebAuthnChallengeStore>());
        services.AddSingleton(Substitute.For<IPasskeyCeremony>());
        services.AddSingleton(Substitute.For<ISignalReceiverRegistry>());
        // What the hosts provide: the Api's rate budget and ASP.NET Core's meter factory.
        services.AddSingleton(Substitute.For<IApplicationRateBudget>());
        services.AddSingleton(MeterFactory());
        return services;
    }
}
