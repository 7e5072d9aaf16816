namespace Connect.Application.Administration.RemoveSigningKey;

public sealed class RemoveSigningKeyCommandValidator : AbstractValidator<RemoveSigningKeyCommand>
{
    public RemoveSigningKeyCommandValidator()
    {
        RuleFor(command => command.Anchor).ValidAnchor();
        RuleFor(command => command.KeyId).ValidKeyId();
    }
}
