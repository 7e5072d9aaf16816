namespace Connect.Application.Administration.RetireApplicationKey;

public sealed class RetireApplicationKeyCommandValidator : AbstractValidator<RetireApplicationKeyCommand>
{
    public RetireApplicationKeyCommandValidator()
    {
        RuleFor(command => command.Anchor).ValidAnchor();
        RuleFor(command => command.KeyId).ValidKeyId();
    }
}
