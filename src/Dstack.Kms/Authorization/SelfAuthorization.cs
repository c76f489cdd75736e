using Dstack.Kms.Authentication;
using Dstack.Kms.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Authorization;

/// <summary>
/// Self-authorization (kms.md §1.3): the KMS takes its own identity (<see cref="KmsIdentity"/>: its TD's attestation
/// through exactly the verification a caller's gets; an attestation that does not verify is a denial), and asks <see cref="KmsAuthorization"/> whether this KMS is
/// allowed. The latest outcome is kept in <see cref="State"/>; while it is not <see cref="SelfAuthorizationStatus.Allowed"/>
/// every key release is refused with <see cref="Refusal"/>. Each change of state is logged with its reason.
/// </summary>
internal sealed class SelfAuthorization : IDisposable
{
    private readonly KmsIdentity _identity;
    private readonly KmsAuthorization _authorization;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SelfAuthorizationState _state;

    /// <summary>Creates the check; nothing runs until <see cref="CheckAsync"/>.</summary>
    /// <param name="identity">This KMS's own verified identity.</param>
    /// <param name="authorization">The KMS-identity decision.</param>
    /// <param name="enforce"><c>Policy:EnforceSelfAuthorization</c>; when false the state is <see cref="SelfAuthorizationStatus.Disabled"/> for good.</param>
    /// <param name="logger">State changes.</param>
    public SelfAuthorization(KmsIdentity identity, KmsAuthorization authorization, bool enforce, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(authorization);
        _identity = identity;
        _authorization = authorization;
        _logger = logger;
        IsEnforced = enforce;
        _state = enforce ? SelfAuthorizationState.NotChecked : SelfAuthorizationState.Disabled;
    }

    /// <summary>Raised after every completed check (with the new state), changed or not.</summary>
    public event EventHandler<SelfAuthorizationState>? Checked;

    /// <summary>Raised when a key release was refused because of <see cref="Refusal"/>: a reason to check again soon.</summary>
    public event EventHandler? RecheckRequested;

    /// <summary>Whether self-authorization is enforced.</summary>
    public bool IsEnforced { get; }

    /// <summary>The latest outcome.</summary>
    public SelfAuthorizationState State => Volatile.Read(ref _state);

    /// <summary>The refusal every key release gets now, or null when key releases are served.</summary>
    public Service.KmsRefusal? Refusal => State.Refusal;

    /// <summary>
    /// The refusal a key release gets now (null: serve it); a refusal also asks for a re-check, so that a KMS the policy
    /// allows again serves again without waiting for the timer.
    /// </summary>
    public Service.KmsRefusal? RefuseKeyRelease()
    {
        var refusal = State.Refusal;
        if (refusal is not null)
        {
            RecheckRequested?.Invoke(this, EventArgs.Empty);
        }

        return refusal;
    }

    /// <summary>Checks this KMS against its policy now (one check at a time) and updates <see cref="State"/>.</summary>
    public async Task<SelfAuthorizationState> CheckAsync(CancellationToken cancellationToken)
    {
        if (!IsEnforced)
        {
            return State;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        SelfAuthorizationState next;
        try
        {
            next = await DecideAsync(cancellationToken).ConfigureAwait(false);
            var previous = State;
            Volatile.Write(ref _state, next);
            if (previous.Status != next.Status || previous.Reason != next.Reason)
            {
                LogChange(next);
            }
        }
        finally
        {
            _gate.Release();
        }

        Checked?.Invoke(this, next);
        return next;
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>This KMS's verified identity (see <see cref="KmsIdentity"/>).</summary>
    public Task<Service.KmsResult<AuthenticatedCaller>> IdentifyAsync(CancellationToken cancellationToken) => _identity.IdentifyAsync(cancellationToken);

    private async Task<SelfAuthorizationState> DecideAsync(CancellationToken cancellationToken)
    {
        var self = await _identity.IdentifyAsync(cancellationToken).ConfigureAwait(false);
        if (!self.IsSuccess)
        {
            var status = self.Refusal.Kind == Service.KmsRefusalKind.BackendUnavailable ? SelfAuthorizationStatus.Unavailable : SelfAuthorizationStatus.Denied;
            return new SelfAuthorizationState(status, self.Refusal.Reason);
        }

        var bootInfo = self.Value.BootInfo;
        var decision = await _authorization.AuthorizeKmsAsync("self-authorization", self.Value, cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            return new SelfAuthorizationState(SelfAuthorizationStatus.Allowed, string.Empty, bootInfo);
        }

        return new SelfAuthorizationState(decision.IsBackendFailure ? SelfAuthorizationStatus.Unavailable : SelfAuthorizationStatus.Denied, decision.Reason, bootInfo);
    }

    private void LogChange(SelfAuthorizationState state)
    {
        if (state.Status == SelfAuthorizationStatus.Allowed)
        {
            KmsLog.SelfAuthorized(_logger, state.BootInfo!);
        }
        else
        {
            KmsLog.SelfAuthorizationFailed(_logger, state.Status.ToString(), state.Reason, state.BootInfo);
        }
    }
}
