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
using Connect.Application.Administration.ShowSignalsStatus;
using Connect.Application.Administration.RetryDeadLetters;

using Connect.Application.ApplicationInfo;
using Connect.Application.Audit;
using Connect.Application.Behaviors;
using Connect.Application.ClientAuthentication;
using Connect.Application.DescribeInquiry;
using Connect.Application.Establish;
using Connect.Application.Inquiries;
using Connect.Application.Introspect;
using Connect.Application.Jwks;
using Connect.Application.Logout;
using Connect.Application.Observability;
using Connect.Application.Passkeys;
using Connect.Application.Passkeys.CreatePasskeyLink;
using Connect.Application.Passkeys.Enrollment;
using Connect.Application.Passkeys.ListPasskeys;
using Connect.Application.RealizeInquiry;
using Connect.Application.Redeem;
using Connect.Application.Refresh;
using Connect.Application.RevokeAll;
using Connect.Application.SessionClaims;
using Connect.Application.SessionTokens;
using Connect.Application.Signals;
using Connect.Application.SignIn;
using Connect.Application.SignIn.FinishPasskeyCeremony;
using Connect.Application.SignIn.StartPasskeyCeremony;
using Connect.Application.SigningKeys;
using Connect.Application.StatusPoll;
using Connect.Domain.Outcomes;
using FluentValidation;
using MediatR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.AddTransient<IRequestHandler<GetJwksQuery, Outcome<JwksResult>>, GetJwksHandler>();
        services.AddTransient<IRequestHandler<RefreshCommand, Outcome<RefreshResult>>, RefreshHandler>();
        services.AddSingleton<IValidator<RefreshCommand>, RefreshCommandValidator>();
        services.AddTransient<IRequestHandler<LogoutCommand, Outcome<LogoutResult>>, LogoutHandler>();
        services.AddSingleton<IValidator<LogoutCommand>, LogoutCommandValidator>();
        services.AddTransient<IRequestHandler<IntrospectQuery, Outcome<IntrospectResult>>, IntrospectHandler>();
        services.AddSingleton<IValidator<IntrospectQuery>, IntrospectQueryValidator>();
        services.AddTransient<IRequestHandler<SessionClaimsQuery, Outcome<SessionClaimsResult>>, SessionClaimsHandler>();
        services.AddTransient<IRequestHandler<RealizeInquiryCommand, RealizeInquiryResult>, RealizeInquiryHandler>();
        services.AddSingleton<IValidator<RealizeInquiryCommand>, RealizeInquiryCommandValidator>();
        services.AddTransient<IRequestHandler<DescribeInquiryQuery, InquiryDescription>, DescribeInquiryHandler>();
        services.AddSingleton<IValidator<DescribeInquiryQuery>, DescribeInquiryQueryValidator>();
        services.AddTransient<IRequestHandler<EstablishCommand, Outcome<EstablishResult>>, EstablishHandler>();
        services.AddSingleton<IValidator<EstablishCommand>, EstablishCommandValidator>();
        services.AddTransient<IRequestHandler<StatusPollQuery, Outcome<StatusPollResult>>, StatusPollHandler>();
        services.AddSingleton<IValidator<StatusPollQuery>, StatusPollQueryValidator>();
        services.AddTransient<IRequestHandler<RedeemCommand, Outcome<RedeemResult>>, RedeemHandler>();
        services.AddSingleton<IValidator<RedeemCommand>, RedeemCommandValidator>();
        services.AddTransient<IRequestHandler<ApplicationInfoQuery, Outcome<ApplicationInfoResult>>, ApplicationInfoHandler>();
        services.AddSingleton<IValidator<ApplicationInfoQuery>, ApplicationInfoQueryValidator>();

        services.AddTransient<IRequestHandler<StartPasskeyCeremonyCommand, SignInOutcome<CeremonyStarted>>, StartPasskeyCeremonyHandler>();
        services.AddSingleton<IValidator<StartPasskeyCeremonyCommand>, StartPasskeyCeremonyCommandValidator>();
        services.AddTransient<IRequestHandler<FinishPasskeyCeremonyCommand, SignInOutcome<RealizedInquiry>>, FinishPasskeyCeremonyHandler>();
        services.AddSingleton<IValidator<FinishPasskeyCeremonyCommand>, FinishPasskeyCeremonyCommandValidator>();
        services.AddTransient<IRequestHandler<ShowEnrollmentPageQuery, SignInOutcome<EnrollmentPage>>, ShowEnrollmentPageHandler>();
        services.AddTransient<IRequestHandler<StartEnrollmentCommand, SignInOutcome<CeremonyStarted>>, StartEnrollmentHandler>();
        services.AddSingleton<IValidator<StartEnrollmentCommand>, StartEnrollmentCommandValidator>();
        services.AddTransient<IRequestHandler<FinishEnrollmentCommand, SignInOutcome<Enrolled>>, FinishEnrollmentHandler>();
        services.AddSingleton<IValidator<FinishEnrollmentCommand>, FinishEnrollmentCommandValidator>();
        services.AddTransient<IRequestHandler<CreatePasskeyLinkCommand, AdministrationOutcome<PasskeyLink>>, CreatePasskeyLinkHandler>();
        services.AddSingleton<IValidator<CreatePasskeyLinkCommand>, CreatePasskeyLinkCommandValidator>();
        services.AddTransient<IRequestHandler<ListPasskeysQuery, AdministrationOutcome<PasskeyList>>, ListPasskeysHandler>();

        services.AddTransient<IRequestHandler<CreateSectorCommand, AdministrationOutcome<CreateSectorResult>>, CreateSectorHandler>();
        services.AddSingleton<IValidator<CreateSectorCommand>, CreateSectorCommandValidator>();
        services.AddTransient<IRequestHandler<RegisterApplicationCommand, AdministrationOutcome<RegisterApplicationResult>>, RegisterApplicationHandler>();
        services.AddSingleton<IValidator<RegisterApplicationCommand>, RegisterApplicationCommandValidator>();
        services.AddTransient<IRequestHandler<SetApplicationEnabledCommand, AdministrationOutcome<SetApplicationEnabledResult>>, SetApplicationEnabledHandler>();
        services.AddSingleton<IValidator<SetApplicationEnabledCommand>, SetApplicationEnabledCommandValidator>();
        services.AddTransient<IRequestHandler<AddApplicationKeyCommand, AdministrationOutcome<AddApplicationKeyResult>>, AddApplicationKeyHandler>();
        services.AddSingleton<IValidator<AddApplicationKeyCommand>, AddApplicationKeyCommandValidator>();
        services.AddTransient<IRequestHandler<RetireApplicationKeyCommand, AdministrationOutcome<RetireApplicationKeyResult>>, RetireApplicationKeyHandler>();
        services.AddSingleton<IValidator<RetireApplicationKeyCommand>, RetireApplicationKeyCommandValidator>();
        services.AddTransient<IRequestHandler<UpdateApplicationCommand, AdministrationOutcome<ApplicationSignInSettings>>, UpdateApplicationHandler>();
        services.AddSingleton<IValidator<UpdateApplicationCommand>, UpdateApplicationCommandValidator>();
        services.AddTransient<IRequestHandler<CreateAccountCommand, AdministrationOutcome<CreateAccountResult>>, CreateAccountHandler>();
        services.AddTransient<IRequestHandler<SetAccountEnabledCommand, AdministrationOutcome<SetAccountEnabledResult>>, SetAccountEnabledHandler>();
        services.AddTransient<IRequestHandler<DeleteAccountCommand, AdministrationOutcome<DeleteAccountResult>>, DeleteAccountHandler>();
        services.AddTransient<IRequestHandler<IssueSubjectCommand, AdministrationOutcome<IssueSubjectResult>>, IssueSubjectHandler>();
        services.AddSingleton<IValidator<IssueSubjectCommand>, IssueSubjectCommandValidator>();
        services.AddTransient<IRequestHandler<IssueSessionsCommand, AdministrationOutcome<IssueSessionsResult>>, IssueSessionsHandler>();
        services.AddSingleton<IValidator<IssueSessionsCommand>, IssueSessionsCommandValidator>();
        services.AddTransient<IRequestHandler<CountSessionsQuery, AdministrationOutcome<SessionCounts>>, CountSessionsHandler>();
        services.AddSingleton<IValidator<CountSessionsQuery>, CountSessionsQueryValidator>();
        services.AddTransient<IRequestHandler<ListSigningKeysQuery, AdministrationOutcome<SigningKeyList>>, ListSigningKeysHandler>();
        services.AddSingleton<IValidator<ListSigningKeysQuery>, ListSigningKeysQueryValidator>();
        services.AddTransient<IRequestHandler<RotateSigningKeyCommand, AdministrationOutcome<RotateSigningKeyResult>>, RotateSigningKeyHandler>();
        services.AddSingleton<IValidator<RotateSigningKeyCommand>, RotateSigningKeyCommandValidator>();
        services.AddTransient<IRequestHandler<RemoveSigningKeyCommand, AdministrationOutcome<RemoveSigningKeyResult>>, RemoveSigningKeyHandler>();
        services.AddSingleton<IValidator<RemoveSigningKeyCommand>, RemoveSigningKeyCommandValidator>();
        services.AddTransient<IRequestHandler<AddSignalReceiverCommand, AdministrationOutcome<AddSignalReceiverResult>>, AddSignalReceiverHandler>();
        services.AddSingleton<IValidator<AddSignalReceiverCommand>, AddSignalReceiverCommandValidator>();
        services.AddTransient<IRequestHandler<ListSignalReceiversQuery, AdministrationOutcome<SignalReceiverList>>, ListSignalReceiversHandler>();
        services.AddSingleton<IValidator<ListSignalReceiversQuery>, ListSignalReceiversQueryValidator>();
        services.AddTransient<IRequestHandler<RemoveSignalReceiverCommand, AdministrationOutcome<RemoveSignalReceiverResult>>, RemoveSignalReceiverHandler>();
        services.AddSingleton<IValidator<RemoveSignalReceiverCommand>, RemoveSignalReceiverCommandValidator>();
        services.AddTransient<IRequestHandler<ShowSignalsStatusQuery, AdministrationOutcome<SignalsStatus>>, ShowSignalsStatusHandler>();
        services.AddTransient<IRequestHandler<RetryDeadLettersCommand, AdministrationOutcome<RetryDeadLettersResult>>, RetryDeadLettersHandler>();

        services.AddOptions<ClientJwtOptions>().BindConfiguration(ClientJwtOptions.SectionName);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ClientJwtPolicy>();

        // The issuer defaults to the service's own base URL from the host's configuration, never from a request.
        services.AddOptions<SessionTokenOptions>().BindConfiguration(SessionTokenOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.Issuer))
                {
                    options.Issuer = SessionTokenOptions.IssuerFromUrls(configuration["Urls"]);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SessionTokenOptions>, SessionTokenOptionsValidator>();
        services.AddSingleton<SessionTokenCodec>();
        services.AddSingleton<SessionTokenGate>();
        // The page's public URL defaults to the issuer, which in turn defaults to the host's own URL.
        services.AddOptions<PasskeyOptions>().BindConfiguration(PasskeyOptions.SectionName)
            .Configure<IOptions<SessionTokenOptions>>((options, tokens) => options.FallbackPublicUrl = tokens.Value.EffectiveIssuer)
            .Validate(options => options.Problem() is null, "Connect:Passkeys is not usable (docs/operations.md).")
            .ValidateOnStart();
        services.AddOptions<IntrospectOptions>().BindConfiguration(IntrospectOptions.SectionName)
            .Validate(
                options => options.IntrospectRecheckSeconds is >= 0 and <= IntrospectOptions.MaxRecheckSeconds,
                $"{IntrospectOptions.SectionName}: IntrospectRecheckSeconds must be 0 to {IntrospectOptions.MaxRecheckSeconds}.")
            .ValidateOnStart();

        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.SectionName)
            .Validate(
                options => options.RefreshGraceSeconds is >= 0 and <= RefreshOptions.MaxRefreshGraceSeconds,
                $"{RefreshOptions.SectionName}: RefreshGraceSeconds must be 0 to {RefreshOptions.MaxRefreshGraceSeconds}.")
            .Validate(
                options => options.AdoptionAlertThreshold is >= 1 and <= RefreshOptions.MaxAdoptionAlertThreshold,
                $"{RefreshOptions.SectionName}: AdoptionAlertThreshold must be 1 to {RefreshOptions.MaxAdoptionAlertThreshold}.")
            .ValidateOnStart();
        // Its meter comes from the host's IMeterFactory (ASP.NET Core registers one), as the Api's instruments do.
        services.AddSingleton<RefreshMetrics>();

        services.AddOptions<SigningKeyOptions>().BindConfiguration(SigningKeyOptions.SectionName)
            .Validate(
                options => options.JwksMaxAgeSeconds is >= 0 and <= SigningKeyOptions.MaxJwksMaxAgeSeconds,
                $"{SigningKeyOptions.SectionName}: JwksMaxAgeSeconds must be 0 to {SigningKeyOptions.MaxJwksMaxAgeSeconds}.")
            .Validate(
                options => options.KeptCopyRereadSeconds is >= 1 and <= SigningKeyOptions.MaxKeptCopyRereadSeconds,
                $"{SigningKeyOptions.SectionName}: KeptCopyRereadSeconds must be 1 to {SigningKeyOptions.MaxKeptCopyRereadSeconds}.")
            .ValidateOnStart();
        services.AddSingleton<SigningKeyEncryption>();
        services.AddSingleton<SigningKeyFactory>();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<ICurrentSigningKey>(provider => provider.GetRequiredService<SigningKeyRing>());
        services.AddSingleton<SigningKeyStartCheck>();

        services.AddOptions<InquiryOptions>().BindConfiguration(InquiryOptions.SectionName)
            .Validate(
                options => options.LifetimeMinutes is >= InquiryOptions.MinLifetimeMinutes and <= InquiryOptions.MaxLifetimeMinutes,
                $"{InquiryOptions.SectionName}: LifetimeMinutes must be {InquiryOptions.MinLifetimeMinutes} to {InquiryOptions.MaxLifetimeMinutes}.")
            .ValidateOnStart();
        services.AddSingleton<ConfirmationKeys>();

        // Signals out (docs/contract/signals.md), read by the receiver commands (the loopback rule) and the delivery
        // worker alike; the ranges are checked at start, like every other section.
        services.AddOptions<SignalOptions>().BindConfiguration(SignalOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignalOptions>, SignalOptionsValidator>();
        services.AddSingleton<SignalTokenMinter>();
        services.AddSingleton<SignalDeliveryPolicy>(provider => new SignalDeliveryPolicy(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<SignalOptions>>()));
        services.AddSingleton<SignalMetrics>();

        // The HTTP host replaces it with the one that feeds its access log.
        services.TryAddSingleton<IRequestObservation, UnobservedRequest>();
        return services;
    }
}
