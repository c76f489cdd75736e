// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {Ownable2StepUpgradeable} from "@openzeppelin/contracts-upgradeable/access/Ownable2StepUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC165Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/introspection/ERC165Upgradeable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IAppAuth} from "./IAppAuth.sol";
import {IAppAuthBasicManagement} from "./IAppAuthBasicManagement.sol";

/// @title One app's governance: which compose files may run, and on which devices.
/// @notice Deployed behind an ERC1967 proxy; the proxy address is the app id.
contract DstackApp is
    Initializable,
    Ownable2StepUpgradeable,
    UUPSUpgradeable,
    ERC165Upgradeable,
    IAppAuth,
    IAppAuthBasicManagement
{
    // slot 0
    mapping(bytes32 => bool) public allowedComposeHashes;
    // slot 1 (packed)
    bool private _upgradesDisabled;
    bool public allowAnyDevice;
    // slot 2
    mapping(bytes32 => bool) public allowedDeviceIds;
    // slot 3
    bool public requireTcbUpToDate;
    // slots 4..52
    uint256[49] private __gap;

    event AllowAnyDeviceSet(bool allowAny);
    event RequireTcbUpToDateSet(bool requireUpToDate);
    event UpgradesDisabled();
    event PolicyChanged(address indexed actor, bytes32 indexed policy, bytes32 indexed value, bool enabled);

    bytes32 private constant POLICY_DEVICE = keccak256("device");
    bytes32 private constant POLICY_COMPOSE_HASH = keccak256("compose-hash");
    bytes32 private constant POLICY_ALLOW_ANY_DEVICE = keccak256("allow-any-device");
    bytes32 private constant POLICY_REQUIRE_TCB = keccak256("require-tcb-up-to-date");
    bytes32 private constant POLICY_UPGRADES_DISABLED = keccak256("upgrades-disabled");
    bytes32 private constant POLICY_UPGRADE = keccak256("implementation-upgrade");
    bytes32 private constant UP_TO_DATE = keccak256("UpToDate");

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Legacy initializer: like the six-argument form with requireTcbUpToDate = false.
    function initialize(
        address initialOwner,
        bool _disableUpgrades,
        bool _allowAnyDevice,
        bytes32 initialDeviceId,
        bytes32 initialComposeHash
    ) external initializer {
        _setUp(initialOwner, _disableUpgrades, false, _allowAnyDevice, initialDeviceId, initialComposeHash);
    }

    /// @notice Initializer used by the DstackKms factory.
    function initialize(
        address initialOwner,
        bool _disableUpgrades,
        bool _requireTcbUpToDate,
        bool _allowAnyDevice,
        bytes32 initialDeviceId,
        bytes32 initialComposeHash
    ) external initializer {
        _setUp(initialOwner, _disableUpgrades, _requireTcbUpToDate, _allowAnyDevice, initialDeviceId, initialComposeHash);
    }

    function _setUp(
        address initialOwner,
        bool disableUpgrades_,
        bool requireTcbUpToDate_,
        bool allowAnyDevice_,
        bytes32 initialDeviceId,
        bytes32 initialComposeHash
    ) private {
        require(initialOwner != address(0), "invalid owner address");
        __Ownable_init(initialOwner);
        __Ownable2Step_init();
        __ERC165_init();

        _upgradesDisabled = disableUpgrades_;
        allowAnyDevice = allowAnyDevice_;
        requireTcbUpToDate = requireTcbUpToDate_;

        if (initialDeviceId != bytes32(0)) {
            allowedDeviceIds[initialDeviceId] = true;
            emit DeviceAdded(initialDeviceId);
            emit PolicyChanged(initialOwner, POLICY_DEVICE, initialDeviceId, true);
        }
        if (initialComposeHash != bytes32(0)) {
            allowedComposeHashes[initialComposeHash] = true;
            emit ComposeHashAdded(initialComposeHash);
            emit PolicyChanged(initialOwner, POLICY_COMPOSE_HASH, initialComposeHash, true);
        }
        if (allowAnyDevice_) {
            emit PolicyChanged(initialOwner, POLICY_ALLOW_ANY_DEVICE, bytes32(0), true);
        }
        if (requireTcbUpToDate_) {
            emit PolicyChanged(initialOwner, POLICY_REQUIRE_TCB, bytes32(0), true);
        }
        if (disableUpgrades_) {
            emit UpgradesDisabled();
            emit PolicyChanged(initialOwner, POLICY_UPGRADES_DISABLED, bytes32(0), true);
        }
    }

    /// @notice Version of this implementation.
    function version() external pure returns (uint256) {
        return 2;
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        virtual
        override(ERC165Upgradeable, IERC165)
        returns (bool)
    {
        return interfaceId == type(IAppAuth).interfaceId
            || interfaceId == type(IAppAuthBasicManagement).interfaceId
            || super.supportsInterface(interfaceId);
    }

    function addComposeHash(bytes32 composeHash) external onlyOwner {
        allowedComposeHashes[composeHash] = true;
        emit ComposeHashAdded(composeHash);
        emit PolicyChanged(msg.sender, POLICY_COMPOSE_HASH, composeHash, true);
    }

    function removeComposeHash(bytes32 composeHash) external onlyOwner {
        allowedComposeHashes[composeHash] = false;
        emit ComposeHashRemoved(composeHash);
        emit PolicyChanged(msg.sender, POLICY_COMPOSE_HASH, composeHash, false);
    }

    function addDevice(bytes32 deviceId) external onlyOwner {
        allowedDeviceIds[deviceId] = true;
        emit DeviceAdded(deviceId);
        emit PolicyChanged(msg.sender, POLICY_DEVICE, deviceId, true);
    }

    /// @notice Removes a device. While allowAnyDevice is on this has no effect on isAppAllowed;
    /// the accompanying PolicyChanged event for "allow-any-device" makes that visible to auditors.
    function removeDevice(bytes32 deviceId) external onlyOwner {
        allowedDeviceIds[deviceId] = false;
        emit DeviceRemoved(deviceId);
        emit PolicyChanged(msg.sender, POLICY_DEVICE, deviceId, false);
        if (allowAnyDevice) {
            emit PolicyChanged(msg.sender, POLICY_ALLOW_ANY_DEVICE, bytes32(0), true);
        }
    }

    function setAllowAnyDevice(bool allowAny) external onlyOwner {
        allowAnyDevice = allowAny;
        emit AllowAnyDeviceSet(allowAny);
        emit PolicyChanged(msg.sender, POLICY_ALLOW_ANY_DEVICE, bytes32(0), allowAny);
    }

    function setRequireTcbUpToDate(bool requireUpToDate) external onlyOwner {
        requireTcbUpToDate = requireUpToDate;
        emit RequireTcbUpToDateSet(requireUpToDate);
        emit PolicyChanged(msg.sender, POLICY_REQUIRE_TCB, bytes32(0), requireUpToDate);
    }

    /// @notice Turns upgrades off for good. There is no way to turn them back on.
    function disableUpgrades() external onlyOwner {
        _upgradesDisabled = true;
        emit UpgradesDisabled();
        emit PolicyChanged(msg.sender, POLICY_UPGRADES_DISABLED, bytes32(0), true);
    }

    function isAppAllowed(AppBootInfo calldata bootInfo)
        external
        view
        override
        returns (bool isAllowed, string memory reason)
    {
        if (requireTcbUpToDate && keccak256(bytes(bootInfo.tcbStatus)) != UP_TO_DATE) {
            return (false, "TCB status is not up to date");
        }
        if (!allowedComposeHashes[bootInfo.composeHash]) {
            return (false, "Compose hash not allowed");
        }
        if (!allowAnyDevice && !allowedDeviceIds[bootInfo.deviceId]) {
            return (false, "Device not allowed");
        }
        return (true, "");
    }

    function _authorizeUpgrade(address newImplementation) internal override onlyOwner {
        require(!_upgradesDisabled, "Upgrades are permanently disabled");
        emit PolicyChanged(msg.sender, POLICY_UPGRADE, bytes32(uint256(uint160(newImplementation))), true);
    }
}
