namespace Connect.Application.Administration.IssueSessions;

public sealed class IssueSessionsCommandValidator : AbstractValidator<IssueSessionsCommand>
{
    public IssueSessionsCommandValidator()
    {
        RuleFor(command => command.Anchor).ValidAnchor();
        // One call is one INSERT; the cap keeps it a statement, not a bulk load.
        RuleFor(command => command.Count)
            .InclusiveBetween(1, AdministrationRules.MaxSessionsPerCall)
            .WithMessage($"the count must be between 1 and {AdministrationRules.MaxSessionsPerCall}");
        RuleFor(command => command.ExpiresInSeconds)
            .InclusiveBetween(1, AdministrationRules.MaxSessionLifetimeSeconds)
            .WithMessage(
                $"the expiry must be between 1 and {AdministrationRules.MaxSessionLifetimeSeconds} seconds (365 days)");
    }
}
