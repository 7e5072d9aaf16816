namespace Connect.Application.Administration.AddApplicationKey;

public sealed class AddApplicationKeyCommandValidator : AbstractValidator<AddApplicationKeyCommand>
{
    public AddApplicationKeyCommandValidator() => RuleFor(command => command.Anchor).ValidAnchor();
}
