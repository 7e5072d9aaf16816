namespace Connect.Application.Establish;

public sealed class EstablishHandler(
    ISignInApplicationDirectory applications,
    IInquiryStore inquiries,
    IOptions<InquiryOptions> options,
    TimeProvider clock)
    : IRequestHandler<EstablishCommand, Outcome<EstablishResult>>
{
    public async Task<Outcome<EstablishResult>> Handle(EstablishCommand request, CancellationToken cancellationToken)
    {
        // The body names the application it speaks for; it must be the one that signed the client JWT.
        if (!string.Equals(request.ApplicationAnchor, request.Caller.Anchor.Value, StringComparison.Ordinal))
        {
            return ReasonCode.ApplicationAnchorMismatch;
        }

        var authentication = request.AuthenticationConstraints ?? [];
        var realize = request.RealizeConstraints ?? [];
        var returns = request.ReturnMethods ?? [];
        if (authentication.Any(constraint => !SignInMethods.SupportedAuthentication.Contains(constraint.Kind!))
            || realize.Any(constraint => !SignInMethods.SupportedRealize.Contains(constraint.Kind!))
            || returns.Any(method => !SignInMethods.SupportedReturn.Contains(method.Type!)))
        {
            return ReasonCode.MethodUnavailable;
        }

        var callbackUrl = returns.SingleOrDefault(method => method.Type == SignInMethods.Callback)?.CallbackUrl;
        if (callbackUrl is not null)
        {
            var application = await applications.FindAsync(request.Caller.Anchor, cancellationToken).ConfigureAwait(false);
            if (application is null || !CallbackUrlPolicy.Allows(callbackUrl, [.. application.CallbackHosts]))
            {
                return ReasonCode.CallbackUrlRejected;
            }
        }

        var constraints = authentication.Concat(realize).ToList();
        var exposureKey = InquiryKeys.NewKey();
        var hiddenKey = InquiryKeys.NewKey();
        var now = clock.GetUtcNow();
        await inquiries.CreateAsync(
            new NewInquiry(
                Guid.CreateVersion7(now),
                request.Caller.Id,
                exposureKey,
                InquiryKeys.Hash(hiddenKey),
                AllowedSubjects(realize),
                // Several constraints may each set a lifetime: the session gets the shortest asked for.
                constraints.Min(constraint => constraint.AccessTokenTtlSeconds),
                constraints.Min(constraint => constraint.RefreshTokenTtlSeconds),
                callbackUrl,
                now,
                now.AddMinutes(options.Value.LifetimeMinutes)),
            cancellationToken).ConfigureAwait(false);
        return new EstablishResult(request.Caller.Anchor.Value, exposureKey, hiddenKey);
    }

    /// <summary>
    /// Every realize constraint must hold: EVERYONE admits anyone, and each SECTOR_SUBJECT narrows to its subjects, so
    /// the subjects allowed are those every SECTOR_SUBJECT names (<c>null</c>: no such constraint, everyone).
    /// </summary>
    private static List<string>? AllowedSubjects(IReadOnlyList<RequestedConstraint> realize)
    {
        List<string>? allowed = null;
        foreach (var constraint in realize.Where(constraint => constraint.Kind == SignInMethods.SectorSubject))
        {
            var subjects = constraint.AllowedSectorSubjects!.Select(subject => subject!).Distinct(StringComparer.Ordinal);
            allowed = allowed is null ? [.. subjects] : [.. allowed.Intersect(subjects, StringComparer.Ordinal)];
        }

        return allowed;
    }
}
