"""(operations to come)"""
