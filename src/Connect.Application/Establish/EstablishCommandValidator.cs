namespace Connect.Application.Establish;

/// <summary>
/// The shape of the body (InvalidBody): present lists non-empty and bounded, every kind one the upstream spec names,
/// the lifetimes in range, a SECTOR_SUBJECT's subjects and a CALLBACK's URL present. Which named methods this service
/// offers, and whether a callback is acceptable, the handler judges with their own reasons.
/// </summary>
public sealed class EstablishCommandValidator : AbstractValidator<EstablishCommand>
{
    public EstablishCommandValidator()
    {
        RuleFor(command => command.ApplicationAnchor).NotEmpty().MaximumLength(ApplicationAnchor.MaxLength);

        RuleFor(command => command.AuthenticationConstraints!)
            .Must(list => list.Count is >= 1 and <= EstablishCommand.MaxAuthenticationConstraints)
            .When(command => command.AuthenticationConstraints is not null);
        RuleForEach(command => command.AuthenticationConstraints)
            .Must(constraint => constraint is not null && SignInMethods.UpstreamAuthentication.Contains(constraint.Kind ?? ""))
            .Must(constraint => constraint?.AllowedSectorSubjects is null)
            .Must(HasLifetimesInRange);

        RuleFor(command => command.RealizeConstraints!)
            .Must(list => list.Count is >= 1 and <= EstablishCommand.MaxRealizeConstraints)
            .When(command => command.RealizeConstraints is not null);
        RuleForEach(command => command.RealizeConstraints)
            .Must(constraint => constraint is not null && SignInMethods.UpstreamRealize.Contains(constraint.Kind ?? ""))
            .Must(HasSubjectsWhereNeeded)
            .Must(HasLifetimesInRange);

        RuleFor(command => command.ReturnMethods!)
            .Must(list => list.Count is >= 1 and <= EstablishCommand.MaxReturnMethods)
            // Two of one type (two callbacks) would leave the page to guess.
            .Must(list => list.Select(method => method?.Type).Distinct(StringComparer.Ordinal).Count() == list.Count)
            .When(command => command.ReturnMethods is not null);
        RuleForEach(command => command.ReturnMethods)
            .Must(method => method is not null && SignInMethods.UpstreamReturn.Contains(method.Type ?? ""))
            .Must(method => (method?.Type == SignInMethods.Callback) == (method?.CallbackUrl is not null));
    }

    private static bool HasSubjectsWhereNeeded(RequestedConstraint? constraint) =>
        constraint?.Kind == SignInMethods.SectorSubject
            ? constraint.AllowedSectorSubjects is { Count: >= 1 and <= RequestedConstraint.MaxAllowedSectorSubjects } subjects
              && subjects.All(subject => subject is { Length: >= 1 and <= SectorSubject.MaxLength }
                                         && AdministrationRules.IsPrintable(subject))
            : constraint?.AllowedSectorSubjects is null;

    private static bool HasLifetimesInRange(RequestedConstraint? constraint) =>
        constraint is not null
        && constraint.AccessTokenTtlSeconds is null
            or >= RequestedConstraint.MinAccessTokenTtlSeconds and <= RequestedConstraint.MaxAccessTokenTtlSeconds
        && constraint.RefreshTokenTtlSeconds is null
            or >= RequestedConstraint.MinRefreshTokenTtlSeconds and <= RequestedConstraint.MaxRefreshTokenTtlSeconds;
}
