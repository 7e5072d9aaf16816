namespace Connect.Application.Audit;

/// <summary>The newest revoke-all audit events, optionally of one application only.</summary>
public sealed record ListAuditEventsQuery(ApplicationAnchor? Anchor = null, int Limit = ListAuditEventsQuery.DefaultLimit)
    : IRequest<Outcome<AuditEventList>>
{
    public const int DefaultLimit = 50;

    public const int MaxLimit = 1000;
}

/// <param name="Events">Newest first.</param>
/// <param name="UnknownAnchor">An anchor was given and names no application (<paramref name="Events"/> is empty).</param>
public sealed record AuditEventList(IReadOnlyList<AuditEvent> Events, bool UnknownAnchor = false);

public sealed class ListAuditEventsQueryValidator : AbstractValidator<ListAuditEventsQuery>
{
    public ListAuditEventsQueryValidator()
    {
        RuleFor(query => query.Limit).InclusiveBetween(1, ListAuditEventsQuery.MaxLimit);
        RuleFor(query => query.Anchor!.Value.Value)
            .NotEmpty()
            .MaximumLength(ApplicationAnchor.MaxLength)
            .When(query => query.Anchor is not null);
    }
}
