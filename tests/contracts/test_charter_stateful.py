"""The charter's spending caps as a state machine (issue 37): proposals spending ETH and commons
tokens are queued at chosen times, against a ghost model of the spending period. Invariants: what
queued proposals spend within one period never exceeds its cap, in either asset; the charter's
record equals the model; a refusal happens exactly when the model says the cap would be passed."""
import brownie
from brownie import CommonsCharter, MockChartedGovernor, chain, web3
from brownie.test import strategy

from conftest import fuzz_settings

PERIOD = 1_000
ETH_CAP = 10 * 10**18
TOKEN_CAP = 1_000 * 10**18
COUNTS = {"queued": 0, "refused": 0, "periods": 0, "invariant_checks": 0}


class CapMachine:
    # spends of a sixth to three fifths of a cap, several a period: the caps are met often
    st_eth = strategy("uint256", min_value=ETH_CAP // 6, max_value=ETH_CAP * 3 // 5)
    st_tokens = strategy("uint256", min_value=0, max_value=TOKEN_CAP * 3 // 5)
    st_wait = strategy("uint256", max_value=PERIOD // 3)

    def __init__(cls, accounts):
        cls.accounts = accounts
        cls.governors = [MockChartedGovernor.deploy({"from": accounts[0]}) for _ in range(2)]
        cls.token = accounts[7]  # the commons token's address: only its calls are counted
        cls.charter = CommonsCharter.deploy(False, {"from": accounts[0]})
        cls.charter.initialize((accounts[9], cls.governors[0], cls.governors[1], cls.token, "bafkcharter", 1, 1, [],
                                [], (1_000, PERIOD, 0, ETH_CAP, TOKEN_CAP)), {"from": accounts[0]})

    def setup(self):
        self.start, self.eth, self.tokens = 0, 0, 0  # the model: the period's start and its spending
        self.pending_wait = 0
        self.n = 0

    def rule_wait(self, st_wait):
        self.pending_wait += st_wait

    def rule_spend(self, st_eth, st_tokens):
        self.n += 1
        transfer = web3.eth.contract(abi=[{"name": "transfer", "type": "function", "stateMutability": "nonpayable",
                                           "inputs": [{"name": "to", "type": "address"},
                                                      {"name": "amount", "type": "uint256"}], "outputs": []}])
        data = transfer.encode_abi("transfer", [self.accounts[8].address, st_tokens])
        targets, values, calldatas = [self.accounts[8], self.token], [st_eth, 0], [b"", data]
        at = web3.eth.get_block("latest")["timestamp"] + 1 + self.pending_wait
        web3.provider.make_request("evm_setNextBlockTimestamp", [at])
        self.pending_wait = 0
        fresh = at >= self.start + PERIOD
        eth_before, tokens_before = (0, 0) if fresh else (self.eth, self.tokens)
        over = eth_before + st_eth > ETH_CAP or tokens_before + st_tokens > TOKEN_CAP
        governor = self.governors[self.n % 2]  # either house queues
        description = web3.keccak(text=f"spend {self.n}")
        if over:
            with brownie.reverts():
                self.charter.queue(governor, targets, values, calldatas, description, {"from": self.accounts[1]})
            COUNTS["refused"] += 1
            # the refused transaction mined nothing: the next block may come at `at` again
            web3.provider.make_request("evm_setNextBlockTimestamp", [at])
            return
        tx = self.charter.queue(governor, targets, values, calldatas, description, {"from": self.accounts[1]})
        assert tx.timestamp == at
        if st_eth or st_tokens:
            if fresh:
                self.start = at
                COUNTS["periods"] += 1
            self.eth, self.tokens = eth_before + st_eth, tokens_before + st_tokens
        COUNTS["queued"] += 1

    def invariant_spending_within_the_caps_and_as_the_model_says(self):
        COUNTS["invariant_checks"] += 1
        start, eth, tokens = self.charter.spending()
        assert eth <= ETH_CAP and tokens <= TOKEN_CAP
        if self.start:
            assert (start, eth, tokens) == (self.start, self.eth, self.tokens)


def test_charter_spending_caps_state_machine(state_machine, accounts):
    state_machine(CapMachine, accounts, settings=fuzz_settings(examples=20, steps=20))
    print(f"\ncharter caps machine: {COUNTS['queued']} queued, {COUNTS['refused']} refused at the cap, "
          f"{COUNTS['periods']} periods, {COUNTS['invariant_checks']} invariant checks")
    assert COUNTS["queued"] > 0 and COUNTS["refused"] > 0 and COUNTS["periods"] > 1
