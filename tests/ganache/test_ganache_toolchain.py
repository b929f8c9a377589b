"""The same OpenZeppelin contract on Ganache 7.9.2 (the users' named chain) at Shanghai."""


def test_openzeppelin_erc20_transfer_works_on_ganache(MockERC20, accounts, web3):
    assert "ganache" in web3.client_version.lower()
    token = MockERC20.deploy("Test", "TST", {"from": accounts[0]})
    token.mint(accounts[0], 1000, {"from": accounts[0]})
    tx = token.transfer(accounts[1], 250, {"from": accounts[0]})
    assert tx.events["Transfer"]["value"] == 250
    assert token.balanceOf(accounts[1]) == 250
