// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title The question a KMS asks before it releases keys to a booting VM.
/// @notice The interface id equals the selector of isAppAllowed: 0x1e079198.
interface IAppAuth is IERC165 {
    /// @notice What the KMS learned from the VM's verified attestation. Field order is part of the ABI.
    struct AppBootInfo {
        address appId;
        bytes32 composeHash;
        address instanceId;
        bytes32 deviceId;
        bytes32 mrAggregated;
        bytes32 mrSystem;
        bytes32 osImageHash;
        string tcbStatus;
        string[] advisoryIds;
    }

    /// @notice Decides whether the described VM may receive the app's keys.
    /// @return isAllowed true to release keys
    /// @return reason why not, empty when allowed
    function isAppAllowed(AppBootInfo calldata bootInfo) external view returns (bool isAllowed, string memory reason);
}
