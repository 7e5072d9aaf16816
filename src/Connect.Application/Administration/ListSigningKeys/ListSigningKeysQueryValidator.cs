namespace Connect.Application.Administration.ListSigningKeys;

public sealed class ListSigningKeysQueryValidator : AbstractValidator<ListSigningKeysQuery>
{
    public ListSigningKeysQueryValidator() => RuleFor(query => query.Anchor).ValidAnchor();
}
