using Dstack.Attestation.Formats;
using Dstack.Kms.Authentication;
using Dstack.Kms.Hosting;
using Dstack.Kms.Keys;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Authorization;

/// <summary>
/// Self-authorization (kms.md §1.3): the KMS attests its own TD (64 zero bytes of report data), runs that attestation
/// through exactly the verification a caller's gets (<see cref="CallerAuthenticator"/>: quote under the configured trust
/// root, debug attribute, event replay, app id, device id), and asks <see cref="KmsAuthorization"/> whether this KMS is
/// allowed. The latest outcome is kept in <see cref="State"/>; while it is not <see cref="SelfAuthorizationStatus.Allowed"/>
/// every key release is refused with <see cref="Refusal"/>. Each change of state is logged with its reason.
/// </summary>
internal sealed class SelfAuthorization : IDisposable
{
    private static readonly byte[] ZeroReportData = new byte[64];
    private readonly IKmsAttestationSource _source;
    private readonly CallerAuthenticator _authenticator;
    private readonly KmsAuthorization _authorization;
    private readonly string _vmConfig;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SelfAuthorizationState _state;

    /// <summary>Creates the check; nothing runs until <see cref="CheckAsync"/>.</summary>
    /// <param name="source">Attests the KMS's own TD.</param>
    /// <param name="authenticator">The verification every caller's attestation gets.</param>
    /// <param name="authorization">The KMS-identity decision.</param>
    /// <param name="enforce"><c>Policy:EnforceSelfAuthorization</c>; when false the state is <see cref="SelfAuthorizationStatus.Disabled"/> for good.</param>
    /// <param name="vmConfig">This instance's <c>vm_config</c> JSON (its <c>os_image_hash</c> goes into the BootInfo); empty = none.</param>
    /// <param name="logger">State changes.</param>
    public SelfAuthorization(IKmsAttestationSource source, CallerAuthenticator authenticator, KmsAuthorization authorization, bool enforce, string vmConfig, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(authorization);
        _source = source;
        _authenticator = authenticator;
        _authorization = authorization;
        _vmConfig = vmConfig ?? string.Empty;
        _logger = logger;
        IsEnforced = enforce;
        _state = enforce ? SelfAuthorizationState.NotChecked : SelfAuthorizationState.Disabled;
    }

    /// <summary>Raised after every completed check (with the new state), changed or not.</summary>
    public event EventHandler<SelfAuthorizationState>? Checked;

    /// <summary>Whether self-authorization is enforced.</summary>
    public bool IsEnforced { get; }

    /// <summary>The latest outcome.</summary>
    public SelfAuthorizationState State => Volatile.Read(ref _state);

    /// <summary>The refusal every key release gets now, or null when key releases are served.</summary>
    public Service.KmsRefusal? Refusal => State.Refusal;

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

    /// <summary>
    /// Attests this KMS's TD and verifies that attestation as a caller's; the result is this instance's identity
    /// (<see cref="AuthenticatedCaller.BootInfo"/>), or why it has none (<see cref="Service.KmsRefusalKind.BackendUnavailable"/>
    /// when the TD could not be attested at all).
    /// </summary>
    public async Task<Service.KmsResult<AuthenticatedCaller>> IdentifyAsync(CancellationToken cancellationToken)
    {
        byte[] encoded;
        try
        {
            var attestation = await _source.AttestAsync(ZeroReportData, cancellationToken).ConfigureAwait(false);
            encoded = AttestationCodec.EncodeV0(attestation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Service.KmsResult<AuthenticatedCaller>.Refused(Service.KmsRefusalKind.BackendUnavailable, "its own TD cannot be attested: " + ex.Message);
        }

        var self = await _authenticator.AuthenticateAttestationAsync(encoded, ZeroReportData, _vmConfig, bootTime: false, cancellationToken).ConfigureAwait(false);
        return self.IsSuccess
            ? self
            : Service.KmsResult<AuthenticatedCaller>.Refused(self.Refusal.Kind, "its own attestation does not verify: " + self.Refusal.Reason);
    }

    private async Task<SelfAuthorizationState> DecideAsync(CancellationToken cancellationToken)
    {
        var self = await IdentifyAsync(cancellationToken).ConfigureAwait(false);
        if (!self.IsSuccess)
        {
            var status = self.Refusal.Kind == Service.KmsRefusalKind.BackendUnavailable ? SelfAuthorizationStatus.Unavailable : SelfAuthorizationStatus.Denied;
            return new SelfAuthorizationState(status, self.Refusal.Reason);
        }

        var bootInfo = self.Value.BootInfo;
        var decision = await _authorization.AuthorizeKmsAsync(self.Value, cancellationToken).ConfigureAwait(false);
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
