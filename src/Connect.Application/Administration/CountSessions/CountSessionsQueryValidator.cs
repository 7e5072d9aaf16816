namespace Connect.Application.Administration.CountSessions;

public sealed class CountSessionsQueryValidator : AbstractValidator<CountSessionsQuery>
{
    public CountSessionsQueryValidator() => RuleFor(query => query.Anchor).ValidAnchor();
}
