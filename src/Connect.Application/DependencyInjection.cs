namespace Connect.Application;

public static class DependencyInjection
{
    /// <summary>
    /// MediatR 5.1.0 has no DI package here, so it is wired by hand: the service factory, the mediator, the
    /// validation behaviour, and one <c>AddUseCase</c> line per use case (its handler with its validator). A forgotten
    /// line fails at run time, which is why a test checks that every handler in the assembly resolves from this container.
    /// </summary>
    public static IServiceCollection AddConnectApplication(this IServiceCollection services)
    {
        services.AddSingleton<ServiceFactory>(provider => provider.GetService!);
        services.AddSingleton<IMediator, Mediator>();
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));

        services.AddUseCase<RevokeAllCommand, Outcome<RevokeAllResult>, RevokeAllHandler, RevokeAllCommandValidator>();
        services.AddUseCase<ListAuditEventsQuery, Outcome<AuditEventList>, ListAuditEventsHandler, ListAuditEventsQueryValidator>();
        services.AddUseCase<GetJwksQuery, Outcome<JwksResult>, GetJwksHandler>();
        services.AddUseCase<RefreshCommand, Outcome<RefreshResult>, RefreshHandler, RefreshCommandValidator>();
        services.AddUseCase<LogoutCommand, Outcome<LogoutResult>, LogoutHandler, LogoutCommandValidator>();
        services.AddUseCase<IntrospectQuery, Outcome<IntrospectResult>, IntrospectHandler, IntrospectQueryValidator>();
        services.AddUseCase<SessionClaimsQuery, Outcome<SessionClaimsResult>, SessionClaimsHandler>();
        services.AddUseCase<RealizeInquiryCommand, RealizeInquiryResult, RealizeInquiryHandler, RealizeInquiryCommandValidator>();
        services.AddUseCase<DescribeInquiryQuery, InquiryDescription, DescribeInquiryHandler, DescribeInquiryQueryValidator>();
        services.AddUseCase<EstablishCommand, Outcome<EstablishResult>, EstablishHandler, EstablishCommandValidator>();
        services.AddUseCase<StatusPollQuery, Outcome<StatusPollResult>, StatusPollHandler, StatusPollQueryValidator>();
        services.AddUseCase<RedeemCommand, Outcome<RedeemResult>, RedeemHandler, RedeemCommandValidator>();
        services.AddUseCase<ApplicationInfoQuery, Outcome<ApplicationInfoResult>, ApplicationInfoHandler, ApplicationInfoQueryValidator>();

        services.AddUseCase<StartPasskeyCeremonyCommand, SignInOutcome<CeremonyStarted>, StartPasskeyCeremonyHandler, StartPasskeyCeremonyCommandValidator>();
        services.AddUseCase<FinishPasskeyCeremonyCommand, SignInOutcome<RealizedInquiry>, FinishPasskeyCeremonyHandler, FinishPasskeyCeremonyCommandValidator>();
        services.AddUseCase<ShowEnrollmentPageQuery, SignInOutcome<EnrollmentPage>, ShowEnrollmentPageHandler>();
        services.AddUseCase<StartEnrollmentCommand, SignInOutcome<CeremonyStarted>, StartEnrollmentHandler, StartEnrollmentCommandValidator>();
        services.AddUseCase<FinishEnrollmentCommand, SignInOutcome<Enrolled>, FinishEnrollmentHandler, FinishEnrollmentCommandValidator>();
        services.AddUseCase<CreatePasskeyLinkCommand, AdministrationOutcome<PasskeyLink>, CreatePasskeyLinkHandler, CreatePasskeyLinkCommandValidator>();
        services.AddUseCase<ListPasskeysQuery, AdministrationOutcome<PasskeyList>, ListPasskeysHandler>();

        services.AddUseCase<CreateSectorCommand, AdministrationOutcome<CreateSectorResult>, CreateSectorHandler, CreateSectorCommandValidator>();
        services.AddUseCase<RegisterApplicationCommand, AdministrationOutcome<RegisterApplicationResult>, RegisterApplicationHandler, RegisterApplicationCommandValidator>();
        services.AddUseCase<SetApplicationEnabledCommand, AdministrationOutcome<SetApplicationEnabledResult>, SetApplicationEnabledHandler, SetApplicationEnabledCommandValidator>();
        services.AddUseCase<AddApplicationKeyCommand, AdministrationOutcome<AddApplicationKeyResult>, AddApplicationKeyHandler, AddApplicationKeyCommandValidator>();
        services.AddUseCase<RetireApplicationKeyCommand, AdministrationOutcome<RetireApplicationKeyResult>, RetireApplicationKeyHandler, RetireApplicationKeyCommandValidator>();
        services.AddUseCase<UpdateApplicationCommand, AdministrationOutcome<ApplicationSignInSettings>, UpdateApplicationHandler, UpdateApplicationCommandValidator>();
        services.AddUseCase<CreateAccountCommand, AdministrationOutcome<CreateAccountResult>, CreateAccountHandler>();
        services.AddUseCase<SetAccountEnabledCommand, AdministrationOutcome<SetAccountEnabledResult>, SetAccountEnabledHandler>();
        services.AddUseCase<DeleteAccountCommand, AdministrationOutcome<DeleteAccountResult>, DeleteAccountHandler>();
        services.AddUseCase<IssueSubjectCommand, AdministrationOutcome<IssueSubjectResult>, IssueSubjectHandler, IssueSubjectCommandValidator>();
        services.AddUseCase<IssueSessionsCommand, AdministrationOutcome<IssueSessionsResult>, IssueSessionsHandler, IssueSessionsCommandValidator>();
        services.AddUseCase<CountSessionsQuery, AdministrationOutcome<SessionCounts>, CountSessionsHandler, CountSessionsQueryValidator>();
        services.AddUseCase<ListSigningKeysQuery, AdministrationOutcome<SigningKeyList>, ListSigningKeysHandler, ListSigningKeysQueryValidator>();
        services.AddUseCase<RotateSigningKeyCommand, AdministrationOutcome<RotateSigningKeyResult>, RotateSigningKeyHandler, RotateSigningKeyCommandValidator>();
        services.AddUseCase<RemoveSigningKeyCommand, AdministrationOutcome<RemoveSigningKeyResult>, RemoveSigningKeyHandler, RemoveSigningKeyCommandValidator>();
        services.AddUseCase<AddSignalReceiverCommand, AdministrationOutcome<AddSignalReceiverResult>, AddSignalReceiverHandler, AddSignalReceiverCommandValidator>();
        services.AddUseCase<ListSignalReceiversQuery, AdministrationOutcome<SignalReceiverList>, ListSignalReceiversHandler, ListSignalReceiversQueryValidator>();
        services.AddUseCase<RemoveSignalReceiverCommand, AdministrationOutcome<RemoveSignalReceiverResult>, RemoveSignalReceiverHandler, RemoveSignalReceiverCommandValidator>();
        services.AddUseCase<ShowSignalsStatusQuery, AdministrationOutcome<SignalsStatus>, ShowSignalsStatusHandler>();
        services.AddUseCase<RetryDeadLettersCommand, AdministrationOutcome<RetryDeadLettersResult>, RetryDeadLettersHandler>();

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
