namespace Connect.Application.Administration.ListSignalReceivers;

public sealed class ListSignalReceiversQueryValidator : AbstractValidator<ListSignalReceiversQuery>
{
    public ListSignalReceiversQueryValidator() => RuleFor(query => query.Anchor).ValidAnchor();
}
